import Testing
@testable import WickSystem
import WickUnits

@Suite struct SocketOptionsFromUnitTests {
    private func socket(_ text: String) -> LoadedUnit {
        UnitBuilder.build(name: try! UnitName("a.socket"), fragment: UnitSourceFile(path: "/units/a.socket", text: text))
    }

    /// config_parse_unsigned()/config_parse_int(), and socket_apply_socket_options() applying
    /// buffers above 0 and priorities not negative only.
    @Test func socketNumbersSystemdAccepts() {
        let unit = socket("[Socket]\nListenStream=80\nBacklog=0\nPriority=7\nReceiveBuffer=0\nSendBuffer=0\n")
        #expect(!unit.diagnostics.contains { $0.severity == .error })
        var options = BindOptions(unit.settings.socket)
        #expect(options.backlog == 0 && options.priority == 7)
        #expect(options.receiveBuffer == nil && options.sendBuffer == nil)
        let unset = socket("[Socket]\nListenStream=80\nPriority=-1\nBacklog=4294967295\nReceiveBuffer=64K\n").settings.socket
        options = BindOptions(unset)
        #expect(options.priority == nil && options.backlog == -1 && options.receiveBuffer == 65536)
    }

    /// fdname_is_valid(): any ASCII that is not a control character, but ':'; a space is fine.
    @Test func fileDescriptorNamesSystemdAccepts() {
        let spaced = socket("[Socket]\nListenStream=80\nFileDescriptorName=my name\n")
        #expect(spaced.settings.socket.fileDescriptorName == "my name" && spaced.diagnostics.isEmpty)
        #expect(socket("[Socket]\nListenStream=80\nFileDescriptorName=a:b\n").diagnostics.contains { $0.severity == .error })
    }
}
