#define _GNU_SOURCE
#include <malloc.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cwick.h"

/* The program's read-only pages (code, constants) that start-up touched stay mapped, and
 * counted in RSS, for the daemon's whole life. Dropping their page-table entries once the loop
 * is about to start leaves mapped only what the loop then touches again: the pages stay in the
 * page cache (a later access is a minor fault, without I/O), so nothing is lost; only whole pages
 * inside segments that are not writable are dropped, so no private (written) page is. */
static int release_segments(struct dl_phdr_info *info, size_t size, void *data) {
    long page = sysconf(_SC_PAGESIZE);
    int i;
    (void)size;
    (void)data;
    if (page <= 0) return 1;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        unsigned long start, end;
        if (segment->p_type != PT_LOAD || (segment->p_flags & PF_W)) continue;
        start = (unsigned long)(info->dlpi_addr + segment->p_vaddr);
        end = start + (unsigned long)segment->p_memsz;
        start = (start + (unsigned long)page - 1) & ~((unsigned long)page - 1);
        end &= ~((unsigned long)page - 1);
        if (end > start) (void)madvise((void *)start, end - start, MADV_DONTNEED);
    }
    return 1;   /* the main program only: it is listed first */
}

void cwick_release_startup_pages(void) {
    (void)dl_iterate_phdr(release_segments, NULL);
}

void cwick_release_free_heap(void) {
    (void)malloc_trim(0);
}
