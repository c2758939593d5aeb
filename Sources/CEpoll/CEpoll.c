#ifdef __linux__
#define _GNU_SOURCE
#include "CEpoll.h"
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>

const uint32_t cepoll_in = EPOLLIN;
const uint32_t cepoll_out = EPOLLOUT;
const uint32_t cepoll_err = EPOLLERR;
const uint32_t cepoll_hup = EPOLLHUP;
const uint32_t cepoll_rdhup = EPOLLRDHUP;

void *cepoll_events_create(int count) { return calloc((size_t)count, sizeof(struct epoll_event)); }
void cepoll_events_destroy(void *events) { free(events); }
int cepoll_event_fd(const void *events, int index) { return ((const struct epoll_event *)events)[index].data.fd; }
uint32_t cepoll_event_flags(const void *events, int index) { return ((const struct epoll_event *)events)[index].events; }

int cepoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int control(int epoll, int operation, int fd, uint32_t flags) {
    struct epoll_event event = {0};
    event.events = flags;
    event.data.fd = fd;
    return epoll_ctl(epoll, operation, fd, &event);
}

int cepoll_add(int epoll, int fd, uint32_t flags) { return control(epoll, EPOLL_CTL_ADD, fd, flags); }
int cepoll_modify(int epoll, int fd, uint32_t flags) { return control(epoll, EPOLL_CTL_MOD, fd, flags); }
int cepoll_remove(int epoll, int fd) { return control(epoll, EPOLL_CTL_DEL, fd, 0); }
int cepoll_wait(int epoll, void *events, int count, int timeout_ms) {
    return epoll_wait(epoll, (struct epoll_event *)events, count, timeout_ms);
}

int cepoll_accept(int listener, void *address, uint32_t *length) {
    return accept4(listener, (struct sockaddr *)address, (socklen_t *)length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int cepoll_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
void cepoll_wakeup(int fd) { uint64_t one = 1; (void)!write(fd, &one, sizeof one); }
void cepoll_drain(int fd) { uint64_t value; while (read(fd, &value, sizeof value) > 0) {} }
#endif
