// epoll and eventfd for the Linux serving engine. Swift's Glibc module does not export
// <sys/epoll.h>, and `struct epoll_event` is packed on x86_64, so Swift reaches events only
// through these helpers.
#ifndef SCRIPTGEN_CEPOLL_H
#define SCRIPTGEN_CEPOLL_H
#ifdef __linux__
#include <stdint.h>

// Flags as epoll(7) defines them.
extern const uint32_t cepoll_in;
extern const uint32_t cepoll_out;
extern const uint32_t cepoll_err;
extern const uint32_t cepoll_hup;
extern const uint32_t cepoll_rdhup;

// An opaque array of `count` epoll events.
void *cepoll_events_create(int count);
void cepoll_events_destroy(void *events);
int cepoll_event_fd(const void *events, int index);
uint32_t cepoll_event_flags(const void *events, int index);

int cepoll_create(void);
// epoll_ctl with the event's data set to `fd`; 0 or -1 (errno).
int cepoll_add(int epoll, int fd, uint32_t flags);
int cepoll_modify(int epoll, int fd, uint32_t flags);
int cepoll_remove(int epoll, int fd);
int cepoll_wait(int epoll, void *events, int count, int timeout_ms);

// accept4(2) giving a non-blocking, close-on-exec socket (glibc declares accept4 only under
// _GNU_SOURCE, which Swift's Glibc module does not set).
int cepoll_accept(int listener, void *address, uint32_t *length);

// A non-blocking eventfd: `cepoll_wakeup` makes it readable, `cepoll_drain` reads it empty.
int cepoll_eventfd(void);
void cepoll_wakeup(int fd);
void cepoll_drain(int fd);
#endif
#endif
