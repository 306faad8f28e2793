/* Kept apart from cwick.h: the kernel's struct tcp_info (linux/tcp.h, with the byte and segment
 * counters) clashes with glibc's older one in netinet/tcp.h. */
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int cwick_tcp_counters(int fd, unsigned long long *bytes_received, unsigned long long *bytes_sent,
                       unsigned *segments_in, unsigned *segments_out);

int cwick_tcp_counters(int fd, unsigned long long *bytes_received, unsigned long long *bytes_sent,
                       unsigned *segments_in, unsigned *segments_out) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) < 0) return -1;
    *bytes_received = info.tcpi_bytes_received;
    *bytes_sent = info.tcpi_bytes_sent;   /* not bytes_acked: the last ones may not be acknowledged yet */
    *segments_in = info.tcpi_segs_in;
    *segments_out = info.tcpi_segs_out;
    return 0;
}
