/*
 * mock-kafka: a Kafka-protocol broker for local runs and tests.
 *
 * Starts librdkafka's mock cluster (rdkafka_mock.h, from Debian's librdkafka-dev),
 * creates the requested topics and prints one JSON line:
 *
 *   {"bootstraps":"127.0.0.1:41234","control":39001}
 *
 * Then it serves control commands, one per line, read from stdin and from TCP
 * connections to 127.0.0.1:<control>; each command is answered with one JSON line:
 *
 *   topic <name> <partitions>              create a topic
 *   broker-down <id> | broker-up <id>      take a broker off / back on the network
 *   request-errors <apiKey> <code> <count> the next <count> requests of that API fail
 *   rtt <id> <ms>                          add latency to a broker
 *   ping                                   liveness
 *
 * It exits, tearing the cluster down, when stdin closes, on SIGTERM/SIGINT, or when its
 * parent process dies, so it never outlives whoever started it.
 *
 * Usage: mock-kafka [--brokers N] [--topic name:partitions]...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_CLIENTS 32
#define LINE_MAX_LEN 1024

struct client {
        int fd;
        size_t used;
        char buf[LINE_MAX_LEN];
};

static rd_kafka_mock_cluster_t *mcluster;

static void on_signal(int sig) {
        (void)sig;
        _exit(0);
}

static int create_topic(const char *name, int partitions) {
        if (!name[0] || partitions < 1)
                return -1;
        return rd_kafka_mock_topic_create(mcluster, name, partitions, 1) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR
                   ? 0
                   : -1;
}

static void reply(int fd, int ok, const char *text) {
        char out[512];
        int n;
        if (ok)
                n = snprintf(out, sizeof(out), "{\"ok\":true}\n");
        else
                n = snprintf(out, sizeof(out), "{\"ok\":false,\"error\":\"%s\"}\n", text);
        if (n > 0 && write(fd, out, (size_t)n) < 0) {
                /* the client went away; nothing to do */
        }
}

static void handle_command(int out, const char *line) {
        char cmd[64] = "", name[256] = "";
        int a = 0, b = 0, c = 0;
        rd_kafka_resp_err_t err;

        if (sscanf(line, "%63s", cmd) != 1)
                return;
        if (!strcmp(cmd, "ping")) {
                reply(out, 1, NULL);
        } else if (!strcmp(cmd, "topic")) {
                if (sscanf(line, "%*s %255s %d", name, &a) != 2 || a < 1)
                        reply(out, 0, "usage: topic <name> <partitions>");
                else
                        reply(out, create_topic(name, a) == 0, "topic creation failed");
        } else if (!strcmp(cmd, "broker-down") || !strcmp(cmd, "broker-up")) {
                if (sscanf(line, "%*s %d", &a) != 1) {
                        reply(out, 0, "usage: broker-down|broker-up <id>");
                        return;
                }
                err = !strcmp(cmd, "broker-down") ? rd_kafka_mock_broker_set_down(mcluster, a)
                                                  : rd_kafka_mock_broker_set_up(mcluster, a);
                reply(out, !err, rd_kafka_err2str(err));
        } else if (!strcmp(cmd, "request-errors")) {
                rd_kafka_resp_err_t *errs;
                int i;
                if (sscanf(line, "%*s %d %d %d", &a, &b, &c) != 3 || c < 1 || c > 10000) {
                        reply(out, 0, "usage: request-errors <apiKey> <errorCode> <count>");
                        return;
                }
                errs = calloc((size_t)c, sizeof(*errs));
                if (!errs) {
                        reply(out, 0, "out of memory");
                        return;
                }
                for (i = 0; i < c; i++)
                        errs[i] = (rd_kafka_resp_err_t)b;
                rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a, (size_t)c, errs);
                free(errs);
                reply(out, 1, NULL);
        } else if (!strcmp(cmd, "rtt")) {
                if (sscanf(line, "%*s %d %d", &a, &b) != 2) {
                        reply(out, 0, "usage: rtt <brokerId> <ms>");
                        return;
                }
                err = rd_kafka_mock_broker_set_rtt(mcluster, a, b);
                reply(out, !err, rd_kafka_err2str(err));
        } else {
                reply(out, 0, "unknown command");
        }
}

/* Runs every complete line in the buffer; returns -1 when a line is too long. */
static int drain_lines(struct client *cl, int out) {
        char *start = cl->buf, *nl;
        while ((nl = memchr(start, '\n', cl->used - (size_t)(start - cl->buf)))) {
                *nl = '\0';
                if (nl > start && nl[-1] == '\r')
                        nl[-1] = '\0';
                handle_command(out, start);
                start = nl + 1;
        }
        cl->used -= (size_t)(start - cl->buf);
        memmove(cl->buf, start, cl->used);
        return cl->used >= sizeof(cl->buf) ? -1 : 0;
}

static int listen_loopback(int *port) {
        struct sockaddr_in addr;
        socklen_t len = sizeof(addr);
        int one = 1;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
                return -1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0 ||
            getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
                close(fd);
                return -1;
        }
        *port = ntohs(addr.sin_port);
        return fd;
}

int main(int argc, char **argv) {
        int brokers = 1, control_port = 0, listen_fd, i, n;
        char errstr[512];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        struct client stdin_client = {0, 0, {0}};
        struct client clients[MAX_CLIENTS];

        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
                return 0; /* whoever started us is already gone */
        signal(SIGTERM, on_signal);
        signal(SIGINT, on_signal);
        signal(SIGPIPE, SIG_IGN);

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc)
                        brokers = atoi(argv[++i]);
                else if (!strcmp(argv[i], "--topic") && i + 1 < argc)
                        i++; /* created once the cluster exists */
                else {
                        fprintf(stderr, "usage: %s [--brokers N] [--topic name:partitions]...\n",
                                argv[0]);
                        return 2;
                }
        }
        if (brokers < 1 || brokers > 16) {
                fprintf(stderr, "--brokers must be from 1 to 16\n");
                return 2;
        }

        conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "%s\n", errstr);
                return 1;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new failed: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, brokers);
        if (!mcluster) {
                fprintf(stderr, "could not create the mock cluster\n");
                return 1;
        }
        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--topic")) {
                        char name[256];
                        const char *spec = argv[++i], *colon = strrchr(spec, ':');
                        size_t len = colon ? (size_t)(colon - spec) : 0;
                        if (!colon || len == 0 || len >= sizeof(name)) {
                                fprintf(stderr, "bad --topic %s (want name:partitions)\n", spec);
                                return 2;
                        }
                        memcpy(name, spec, len);
                        name[len] = '\0';
                        if (create_topic(name, atoi(colon + 1)) != 0) {
                                fprintf(stderr, "could not create topic %s\n", spec);
                                return 2;
                        }
                } else if (!strcmp(argv[i], "--brokers"))
                        i++;
        }

        listen_fd = listen_loopback(&control_port);
        if (listen_fd < 0) {
                fprintf(stderr, "could not open the control port: %s\n", strerror(errno));
                return 1;
        }
        for (i = 0; i < MAX_CLIENTS; i++)
                clients[i].fd = -1;

        printf("{\"bootstraps\":\"%s\",\"control\":%d}\n", rd_kafka_mock_cluster_bootstraps(mcluster),
               control_port);
        fflush(stdout);

        for (;;) {
                struct pollfd fds[2 + MAX_CLIENTS];
                int slot_of[2 + MAX_CLIENTS];
                int nfds = 0;
                fds[nfds].fd = 0;
                fds[nfds++].events = POLLIN;
                fds[nfds].fd = listen_fd;
                fds[nfds++].events = POLLIN;
                for (i = 0; i < MAX_CLIENTS; i++) {
                        if (clients[i].fd >= 0) {
                                slot_of[nfds] = i;
                                fds[nfds].fd = clients[i].fd;
                                fds[nfds++].events = POLLIN;
                        }
                }
                if (poll(fds, (nfds_t)nfds, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (fds[0].revents) {
                        n = (int)read(0, stdin_client.buf + stdin_client.used,
                                      sizeof(stdin_client.buf) - stdin_client.used);
                        if (n <= 0)
                                break; /* stdin closed: our owner is done with us */
                        stdin_client.used += (size_t)n;
                        if (drain_lines(&stdin_client, 1) < 0)
                                stdin_client.used = 0;
                }
                if (fds[1].revents & POLLIN) {
                        int fd = accept(listen_fd, NULL, NULL);
                        for (i = 0; fd >= 0 && i < MAX_CLIENTS && clients[i].fd >= 0; i++)
                                ;
                        if (fd >= 0 && i < MAX_CLIENTS) {
                                clients[i].fd = fd;
                                clients[i].used = 0;
                        } else if (fd >= 0) {
                                close(fd);
                        }
                }
                for (i = 2; i < nfds; i++) {
                        struct client *cl = &clients[slot_of[i]];
                        if (!fds[i].revents)
                                continue;
                        n = (int)read(cl->fd, cl->buf + cl->used, sizeof(cl->buf) - cl->used);
                        if (n <= 0) {
                                close(cl->fd);
                                cl->fd = -1;
                                continue;
                        }
                        cl->used += (size_t)n;
                        if (drain_lines(cl, cl->fd) < 0) {
                                close(cl->fd);
                                cl->fd = -1;
                        }
                }
        }

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
