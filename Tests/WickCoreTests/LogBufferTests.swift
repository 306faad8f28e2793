import Testing
import WickCore

@Suite struct LogBufferTests {
    @Test func keepsTheLastLinesInOrder() {
        var buffer = LogBuffer(maximumLines: 3, maximumBytes: 1000)
        for index in 1...5 { buffer.append("line \(index)", pid: 7, time: .seconds(Double(index))) }
        #expect(buffer.recent().map(\.text) == ["line 3", "line 4", "line 5"])
        #expect(buffer.recent(2).map(\.text) == ["line 4", "line 5"])
        #expect(buffer.dropped == 2)
    }

    @Test func boundedByBytes() {
        var buffer = LogBuffer(maximumLines: 100, maximumBytes: 10)
        buffer.append("12345", pid: 1, time: .seconds(0))
        buffer.append("67890", pid: 1, time: .seconds(0))
        buffer.append("abcde", pid: 1, time: .seconds(0))
        #expect(buffer.recent().map(\.text) == ["67890", "abcde"])
    }

    @Test func aTemplateBufferKeepsWhichInstanceWroteEachLine() {
        var buffer = LogBuffer()
        let line = buffer.append("hi", pid: 3, time: .seconds(1), instance: "echo@0-x.service")
        #expect(line == LogBuffer.Line(time: .seconds(1), pid: 3, text: "hi", instance: "echo@0-x.service"))
        #expect(buffer.recent().map(\.instance) == ["echo@0-x.service"])
    }
}
