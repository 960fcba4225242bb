/* error.h — how library code reports failure without exiting.
 *
 * Library functions return 0 on success and non-zero on failure, and fill a
 * caller-owned ps_error with one line of text (no trailing newline) that names
 * the file / key / value involved.  Only the two main programs decide to exit;
 * bad input maps to exit status 2, other failures to 1 (SPEC.md section 8).
 */
#ifndef PS_ERROR_H
#define PS_ERROR_H

enum { PS_OK = 0, PS_EINPUT = 2, PS_EFAIL = 1 };

typedef struct {
    int code;        /* PS_EINPUT (bad usage / input) or PS_EFAIL */
    char msg[1024];
} ps_error;

/* Set err (if non-NULL) to a formatted message; returns code for `return ps_error_set(...)`. */
int ps_error_set(ps_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
