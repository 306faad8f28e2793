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

    @Test(arguments: ["", "{", "[1,", "{\"a\"}", "tru", "\"open", "{\"a\":1}x", String(repeating: "[", count: 100), "{\"verb\":\"ping\",\"verb\":\"poweroff\"}"])
    func badInputIsAnError(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(text) }
    }

    @Test func requestLine() throws {
        let line = ControlProtocol.request(verb: "reset-failed", units: ["web.socket"])
        #expect(line == #"{"version":1,"verb":"reset-failed","units":["web.socket"]}"# + "\n")
    }
}

@Suite struct JSONWritingTests {
    /// The fast path (nothing to escape) and the escaping path write the same JSON a parser reads back.
    @Test func stringsAreQuotedAndEscapedAsTheParserReadsThem() throws {
        for text in ["plain", "", "quote \" and \\ backslash", "line\nbreak\ttab\r", "\u{01}\u{1f}", "é ☃ 🎉", "\u{7f}"] {
            let value = JSONValue.object([("k", .string(text)), ("a", .array([.string(text), .number(1), .null, .bool(true)]))])
            #expect(try JSONValue.parse(value.serialized) == value, "\(text.debugDescription)")
        }
        #expect(JSONValue.quote("a\"b") == #""a\"b""# && JSONValue.quote("\u{01}") == #""\u0001""#)
        #expect(JSONValue.array([.object([]), .array([])]).serialized == "[{},[]]")
    }
}
