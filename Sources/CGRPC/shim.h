// The gRPC C core as seen from Swift.
//
// libc headers come first: grpc's port_platform.h defines _GNU_SOURCE, and if a grpc header
// is the first thing this module sees, glibc's fd_set differs from the one Glibc/Dispatch
// see and the build fails. Function-like macros do not import into Swift, so the few we need
// are wrapped in static inline functions, as are the op builders (grpc_op's nested unions
// are awkward to fill from Swift).
#ifndef ETCRON_CGRPC_SHIM_H
#define ETCRON_CGRPC_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/select.h>
#include <time.h>
#include <pthread.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

static inline size_t cgrpc_slice_length(grpc_slice slice) {
    return GRPC_SLICE_LENGTH(slice);
}

static inline uint32_t cgrpc_propagate_defaults(void) {
    return GRPC_PROPAGATE_DEFAULTS;
}

static inline uint32_t cgrpc_wait_for_ready_flags(void) {
    return GRPC_INITIAL_METADATA_WAIT_FOR_READY | GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET;
}

/// A deadline `millis` from now on the monotonic clock; negative means never.
static inline gpr_timespec cgrpc_deadline_after_millis(int64_t millis) {
    if (millis < 0) {
        return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    }
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(millis, GPR_TIMESPAN));
}

/// A byte buffer holding a copy of `length` bytes at `bytes`.
static inline grpc_byte_buffer *cgrpc_byte_buffer_create(const void *bytes, size_t length) {
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)bytes, length);
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
}

/// Copies a received byte buffer into `destination` (at least `grpc_byte_buffer_length`
/// bytes); returns the number of bytes copied, or -1 if the buffer could not be read.
static inline ssize_t cgrpc_byte_buffer_copy(grpc_byte_buffer *buffer, uint8_t *destination, size_t capacity) {
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, buffer)) {
        return -1;
    }
    grpc_slice slice = grpc_byte_buffer_reader_readall(&reader);
    size_t length = GRPC_SLICE_LENGTH(slice);
    if (length > capacity) {
        length = capacity;
    }
    if (length > 0) {
        memcpy(destination, GRPC_SLICE_START_PTR(slice), length);
    }
    grpc_slice_unref(slice);
    grpc_byte_buffer_reader_destroy(&reader);
    return (ssize_t)length;
}

static inline void cgrpc_metadata_init(grpc_metadata *metadata, const char *key, const char *value) {
    memset(metadata, 0, sizeof(*metadata));
    metadata->key = grpc_slice_from_copied_string(key);
    metadata->value = grpc_slice_from_copied_string(value);
}

static inline void cgrpc_metadata_destroy(grpc_metadata *metadata) {
    grpc_slice_unref(metadata->key);
    grpc_slice_unref(metadata->value);
}

static inline void cgrpc_op_send_initial_metadata(grpc_op *op, grpc_metadata *metadata, size_t count, uint32_t flags) {
    memset(op, 0, sizeof(*op));
    op->op = GRPC_OP_SEND_INITIAL_METADATA;
    op->flags = flags;
    op->data.send_initial_metadata.count = count;
    op->data.send_initial_metadata.metadata = metadata;
}

static inline void cgrpc_op_send_message(grpc_op *op, grpc_byte_buffer *buffer) {
    memset(op, 0, sizeof(*op));
    op->op = GRPC_OP_SEND_MESSAGE;
    op->data.send_message.send_message = buffer;
}

static inline void cgrpc_op_send_close_from_client(grpc_op *op) {
    memset(op, 0, sizeof(*op));
    op->op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
}

static inline void cgrpc_op_recv_initial_metadata(grpc_op *op, grpc_metadata_array *metadata) {
    memset(op, 0, sizeof(*op));
    op->op = GRPC_OP_RECV_INITIAL_METADATA;
    op->data.recv_initial_metadata.recv_initial_metadata = metadata;
}

static inline void cgrpc_op_recv_message(grpc_op *op, grpc_byte_buffer **slot) {
    memset(op, 0, sizeof(*op));
    op->op = GRPC_OP_RECV_MESSAGE;
    op->data.recv_message.recv_message = slot;
}

static inline void cgrpc_op_recv_status_on_client(grpc_op *op, grpc_metadata_array *trailing,
                                                  grpc_status_code *status, grpc_slice *details,
                                                  const char **error_string) {
    memset(op, 0, sizeof(*op));
    op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    op->data.recv_status_on_client.trailing_metadata = trailing;
    op->data.recv_status_on_client.status = status;
    op->data.recv_status_on_client.status_details = details;
    op->data.recv_status_on_client.error_string = error_string;
}

static inline grpc_arg cgrpc_arg_integer(char *key, int value) {
    grpc_arg arg;
    memset(&arg, 0, sizeof(arg));
    arg.type = GRPC_ARG_INTEGER;
    arg.key = key;
    arg.value.integer = value;
    return arg;
}

static inline grpc_arg cgrpc_arg_string(char *key, char *value) {
    grpc_arg arg;
    memset(&arg, 0, sizeof(arg));
    arg.type = GRPC_ARG_STRING;
    arg.key = key;
    arg.value.string = value;
    return arg;
}

#endif
