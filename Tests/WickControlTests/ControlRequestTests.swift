import Testing
import WickControl

@Suite struct ControlRequestTests {
    @Test func aRequestSurvivesTheLineRoundTrip() throws {
        let request = ControlRequest(verb: "logs", units: ["a.service"], lines: 5, sinceMicroseconds: 1_795_431_992_110_919, follow: true)
        let line = request.line
        #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"))
        #expect(try ControlRequest(JSONValue.parse(String(line.dropLast()))) == request)
        #expect(ControlRequest(verb: "kill", units: ["x"], signal: 9).line == #"{"version":1,"verb":"kill","units":["x"],"signal":9}"# + "\n")
    }

    @Test(arguments: [
        (#"[1]"#, "a request is a JSON object"),
        (#"{"units":[]}"#, "missing \"verb\" (a string)"),
        (#"{"verb":"x","version":2}"#, "unsupported protocol version 2, this daemon speaks 1"),
        (#"{"verb":"x","units":"a"}"#, "\"units\" must be an array of strings"),
        (#"{"verb":"x","units":[1]}"#, "\"units\" must be an array of strings"),
        (#"{"verb":"x","lines":1.5}"#, "\"lines\" must be an integer"),
        (#"{"verb":"x","since":"yesterday"}"#, "\"since\" must be an integer"),
    ])
    func badMembersAreNamed(_ text: String, _ message: String) throws {
        #expect(throws: JSONValue.ParseError(message: message)) { try ControlRequest(JSONValue.parse(text)) }
    }

    @Test func readOnlyVerbsAreTheOnesAControlGroupMayUse() {
        #expect(ControlRequest(verb: "status").isReadOnly && ControlRequest(verb: "logs").isReadOnly)
        #expect(!ControlRequest(verb: "stop").isReadOnly && !ControlRequest(verb: "daemon-reload").isReadOnly)
        #expect(!ControlRequest(verb: "poweroff").isReadOnly)
    }

    @Test(arguments: [
        (Int64(400_000), "400ms ago"), (5_200_000, "5s ago"), (182_000_000, "3min 2s ago"),
        (7_500_000_000, "2h 5min ago"), (-1, "in the future"),
    ])
    func relativeTimesUseTheTwoLargestUnits(_ delta: Int64, _ text: String) {
        #expect(Timestamp.relative(1_000_000_000_000 - delta, now: 1_000_000_000_000) == text)
    }
}

@Suite struct ControlErrorCodeTests {
    @Test func failuresCarryACodeAndOldOnesReadAsFailed() throws {
        let failure = try JSONValue.parse(String(ControlProtocol.failure("no such unit: x.service", code: .noSuchUnit).dropLast()))
        #expect(ControlErrorCode.of(failure) == .noSuchUnit && ControlErrorCode.of(failure)?.exitStatus == 4)
        #expect(ControlErrorCode.of(try JSONValue.parse(#"{"ok":false,"error":"old daemon"}"#)) == .failed)
        #expect(ControlErrorCode.of(try JSONValue.parse(#"{"ok":false,"error":"x","code":"from-the-future"}"#)) == .failed)
        #expect(ControlErrorCode.of(try JSONValue.parse(#"{"ok":true}"#)) == nil)
        #expect(ControlErrorCode.unknownVerb.exitStatus == 3 && ControlErrorCode.refused.exitStatus == 1)
    }

    @Test func untilAndReverseSurviveTheLine() throws {
        let request = ControlRequest(verb: "logs", untilMicroseconds: 42, reverse: true)
        let parsed = try ControlRequest(JSONValue.parse(String(request.line.dropLast())))
        #expect(parsed == request)
    }
}
