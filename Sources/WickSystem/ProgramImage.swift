import CWick

/// The running program's own pages.
public enum ProgramImage {
    /// Drops the page-table entries of the program's read-only segments once start-up is done:
    /// the code and constants only start-up used leave the resident set; what the daemon uses
    /// afterwards faults back in from the page cache (minor faults, no I/O). The pages are not
    /// freed by this, only unmapped: they stay in the page cache, reclaimable, until the kernel
    /// needs the memory.
    public static func releaseStartupPages() {
        cwick_release_startup_pages()
    }
}
