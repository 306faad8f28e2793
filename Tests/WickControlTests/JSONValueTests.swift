import Testing
import WickControl

@Suite struct JSONValueTests {
    @Test func parsesAndSerializesRoundTrip() throws {
        let text = #"{"version":1,"verb":"reset-failed","units":["a.socket","b\"c"],"flag":true,"none":null,"n":-2.5}"#
        let value = try JSONValue.parse(text)
        #expect(value["verb"]?.stringValue == "reset-failed")
        #expect(value["units"]?.arrayValue?.compactMap(\.stringValue) == ["a.socket", "b\"c"])
        #expect(value["n"]?.numberValue == -2.5)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test func escapesAndUnicode() throws {
        #expect(try JSONValue.parse(#""a\n\t\u00e9\/""#) == .string("a\n\té/"))
        #expect(JSONValue.string("x\u{1}\"").serialized == #""x\u0001\"""#)
    }

    @Test(arguments: ["", "{", "[1,", "{\"a\"}", "tru", "\"open", "{\"a\":1}x", String(repeating: "[", count: 100)])
    func badInputIsAnError(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(text) }
    }

    @Test func requestLine() throws {
        let line = ControlProtocol.request(verb: "reset-failed", units: ["web.socket"])
        #expect(line == #"{"version":1,"verb":"reset-failed","units":["web.socket"]}"# + "\n")
    }
}
