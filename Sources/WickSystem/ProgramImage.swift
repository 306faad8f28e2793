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

    /// Returns the heap's free pages to the kernel (malloc_trim(3)): start-up's parsing and a
    /// reload, which builds the new tables next to the old, free most of what they allocated,
    /// but the allocator keeps it mapped unless it lies at the heap's top.
    public static func releaseFreeHeap() {
        cwick_release_free_heap()
    }
}
