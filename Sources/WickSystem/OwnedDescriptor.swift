import Glibc

/// A file descriptor with exactly one owner: it is closed once, when the owner lets it go, and
/// cannot be copied (so no second owner can close it again, or close a reused number).
public struct OwnedDescriptor: ~Copyable {
    public let raw: Int32

    public init(_ raw: Int32) { self.raw = raw }

    deinit { closeDescriptor(raw) }
}
