#ifndef ETCRON_FD_PASSING_H
#define ETCRON_FD_PASSING_H

/// Sends `length` bytes of `data` on socket `socket` with descriptor `fd` attached
/// (SCM_RIGHTS), in one sendmsg(2) that may send fewer bytes (the descriptor goes with
/// the first). Returns the bytes sent, or -1 with errno set.
long etcron_send_with_fd(int socket, const void *data, unsigned long length, int fd);

/// Receives up to `length` bytes from socket `socket` into `data`, and the descriptors
/// that came with them (close-on-exec) into `fds` (room for `capacity`; `*count` is set to
/// how many; any beyond `capacity` are closed). Returns the bytes read (0 at end of file),
/// or -1 with errno set.
long etcron_receive_with_fds(int socket, void *data, unsigned long length, int *fds, int capacity, int *count);

#endif
