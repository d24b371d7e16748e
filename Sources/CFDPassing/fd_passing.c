// Descriptors passed over a Unix socket (SCM_RIGHTS), for the exec guard and its
// executor: the CMSG macros Swift cannot call. A C target, not a header of a system module:
// <sys/socket.h> stays private to this file.
#include "fd_passing.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/// Sends `length` bytes of `data` on socket `socket` with descriptor `fd` attached
/// (SCM_RIGHTS), in one sendmsg(2) that may send fewer bytes (the descriptor goes with
/// the first). Returns the bytes sent, or -1 with errno set.
long etcron_send_with_fd(int socket, const void *data, unsigned long length, int fd) {
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct iovec vector = { (void *)data, length };
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof(control.buffer);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    return (long)sendmsg(socket, &message, MSG_NOSIGNAL);
}

/// Receives up to `length` bytes from socket `socket` into `data`, and the descriptors
/// that came with them (close-on-exec) into `fds` (room for `capacity`; `*count` is set to
/// how many; any beyond `capacity` are closed). Returns the bytes read (0 at end of file),
/// or -1 with errno set.
long etcron_receive_with_fds(int socket, void *data, unsigned long length, int *fds, int capacity, int *count) {
    union {
        char buffer[CMSG_SPACE(sizeof(int) * 64)];
        struct cmsghdr align;
    } control;
    struct iovec vector = { data, length };
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof(control.buffer);
    *count = 0;
    long received = (long)recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int carried = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int index = 0; index < carried; index++) {
            int fd;
            memcpy(&fd, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
            if (*count < capacity) fds[(*count)++] = fd; else close(fd);
        }
    }
    return received;
}
