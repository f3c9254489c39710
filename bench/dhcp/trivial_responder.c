/*
 * trivial_responder: the smallest useful ProxyDHCP-style responder, used only to measure the
 * ceiling of the load generator (perfdhcp) in bench/dhcp/run.sh.
 *
 * It answers every BOOTREQUEST carrying DHCP message type DISCOVER with a minimal OFFER:
 *   op=2, same htype/hlen/xid/flags/giaddr/chaddr, yiaddr=0.0.0.0, siaddr=<server>,
 *   file="snponly.efi", options 53=OFFER, 54=<server>, 60="PXEClient", 255.
 * Destination (RFC 2131 4.1): giaddr:67 when giaddr is set (relayed request), else
 * ciaddr:68 when ciaddr is set, else 255.255.255.255:68.
 * Everything else is ignored. No per-packet state, no logging: it is meant to be faster than
 * any real server so that the load generator, not the responder, is the limit.
 *
 * Usage: trivial_responder IFACE SERVER_IPV4 [PORT]
 * Binds 0.0.0.0:PORT (default 67) with SO_BINDTODEVICE=IFACE. Stops on SIGTERM/SIGINT and
 * prints "answered=N ignored=M" on stderr. Prints "ready" on stderr once bound.
 * Standard C + POSIX/Linux sockets only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BOOTP_MIN 240 /* fixed header (236) + magic cookie (4) */

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

/* Returns the DHCP message type (option 53), or 0 when absent/malformed. */
static int message_type(const uint8_t *p, size_t n) {
    if (n < BOOTP_MIN) return 0;
    if (p[236] != 99 || p[237] != 130 || p[238] != 83 || p[239] != 99) return 0;
    size_t i = BOOTP_MIN;
    while (i < n) {
        uint8_t code = p[i];
        if (code == 255) break;
        if (code == 0) { i++; continue; }
        if (i + 1 >= n) break;
        uint8_t len = p[i + 1];
        if (i + 2 + len > n) break;
        if (code == 53 && len == 1) return p[i + 2];
        i += 2 + (size_t)len;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s IFACE SERVER_IPV4 [PORT]\n", argv[0]);
        return 2;
    }
    const char *iface = argv[1];
    struct in_addr server;
    if (inet_pton(AF_INET, argv[2], &server) != 1) {
        fprintf(stderr, "bad server address: %s\n", argv[2]);
        return 2;
    }
    int port = argc > 3 ? atoi(argv[3]) : 67;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: recvfrom returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) { perror("SO_BROADCAST"); return 1; }
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) < 0) {
        perror("SO_BINDTODEVICE");
        return 1;
    }
    int rcvbuf = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_port = htons((uint16_t)port);
    local.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) { perror("bind"); return 1; }
    fprintf(stderr, "ready\n");

    uint8_t in[1500];
    uint8_t out[300];
    unsigned long answered = 0, ignored = 0;
    while (!stop_flag) {
        ssize_t n = recv(fd, in, sizeof in, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("recv");
            break;
        }
        if (n < BOOTP_MIN || in[0] != 1 || message_type(in, (size_t)n) != 1) {
            ignored++;
            continue;
        }
        memset(out, 0, sizeof out);
        out[0] = 2;                  /* op = BOOTREPLY */
        out[1] = in[1];              /* htype */
        out[2] = in[2];              /* hlen */
        memcpy(out + 4, in + 4, 4);  /* xid */
        memcpy(out + 10, in + 10, 2);/* flags */
        /* ciaddr (12), yiaddr (16) stay 0.0.0.0 */
        memcpy(out + 20, &server, 4);/* siaddr */
        memcpy(out + 24, in + 24, 4);/* giaddr */
        memcpy(out + 28, in + 28, 16);/* chaddr */
        memcpy(out + 108, "snponly.efi", 11); /* file */
        size_t o = 236;
        out[o++] = 99; out[o++] = 130; out[o++] = 83; out[o++] = 99;
        out[o++] = 53; out[o++] = 1; out[o++] = 2;                 /* OFFER */
        out[o++] = 54; out[o++] = 4; memcpy(out + o, &server, 4); o += 4;
        out[o++] = 60; out[o++] = 9; memcpy(out + o, "PXEClient", 9); o += 9;
        out[o++] = 255;
        if (o < 300) o = 300; /* BOOTP minimum size, zero padded */

        struct sockaddr_in dst;
        memset(&dst, 0, sizeof dst);
        dst.sin_family = AF_INET;
        uint32_t giaddr, ciaddr;
        memcpy(&giaddr, in + 24, 4);
        memcpy(&ciaddr, in + 12, 4);
        if (giaddr != 0) {
            dst.sin_addr.s_addr = giaddr;
            dst.sin_port = htons(67);
        } else if (ciaddr != 0) {
            dst.sin_addr.s_addr = ciaddr;
            dst.sin_port = htons(68);
        } else {
            dst.sin_addr.s_addr = htonl(INADDR_BROADCAST);
            dst.sin_port = htons(68);
        }
        if (sendto(fd, out, o, 0, (struct sockaddr *)&dst, sizeof dst) < 0) {
            if (errno == EINTR) continue;
            perror("sendto");
            ignored++;
            continue;
        }
        answered++;
    }
    fprintf(stderr, "answered=%lu ignored=%lu\n", answered, ignored);
    close(fd);
    return 0;
}
