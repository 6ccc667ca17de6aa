/*
 * The floor of CPU per query on this machine: a UDP responder that does no DNS work at all. One
 * thread takes up to 64 datagrams with recvmmsg(MSG_WAITFORONE), turns each query into a reply
 * in place (QR and AA set, the question kept, no records), and sends them all with one sendmmsg;
 * what it costs per query is what the kernel's receive and send paths cost, which no server can
 * go below. bench/alternate.sh --floor builds it and measures it beside Rdns and Knot.
 *
 *   cc -O2 -o floor bench/floor.c && ./floor 127.0.0.1 5300
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BATCH 64
#define SIZE 1232

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: floor ADDRESS PORT\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2])) };
    if (s < 0 || inet_pton(AF_INET, argv[1], &local.sin_addr) != 1 || bind(s, (struct sockaddr *)&local, sizeof local) != 0) {
        perror("floor: bind");
        return 1;
    }
    static unsigned char buffers[BATCH][SIZE];
    static struct sockaddr_in peers[BATCH];
    static struct iovec iov[BATCH];
    static struct mmsghdr messages[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){ buffers[i], SIZE };
            messages[i].msg_hdr = (struct msghdr){ .msg_name = &peers[i], .msg_namelen = sizeof peers[i], .msg_iov = &iov[i], .msg_iovlen = 1 };
        }
        int n = recvmmsg(s, messages, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0)
            continue;
        int out = 0;
        for (int i = 0; i < n; i++) {
            unsigned len = messages[i].msg_len;
            if (len < 12 || (buffers[i][2] & 0x80))
                continue; /* not a query */
            buffers[i][2] |= 0x84; /* QR, AA */
            buffers[i][3] &= 0x70; /* RCODE NOERROR, RA off */
            iov[i].iov_len = len;
            messages[out].msg_hdr = messages[i].msg_hdr;
            messages[out].msg_hdr.msg_iov = &iov[i];
            out++;
        }
        if (out > 0)
            sendmmsg(s, messages, out, 0);
    }
}
