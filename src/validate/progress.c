#include "validate/progress.h"

#include <time.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_init(progress *p, bool on, FILE *f)
{
    *p = (progress){.on = on, .f = f, .started_ns = now_ns()};
}

void progress_draw(progress *p, bool force)
{
    if (!p->on) return;
    int64_t t = now_ns();
    if (!force && p->drawn && t - p->last_draw_ns < 100000000) return;
    p->last_draw_ns = t;
    double secs = (double)(t - p->started_ns) / 1e9;
    double mb = (double)p->bytes / 1e6;
    /* The digests listed in range are the only total known up front (log files are
     * discovered digest by digest), so the bar tracks the chain walk. */
    int width = 24;
    double frac = p->digests_total ? (double)p->digests_done / (double)p->digests_total : 0;
    if (frac > 1) frac = 1;
    int fill = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(p->f, "\r\033[K[%s] %3d%%  digests %llu/%llu  logs %llu/%llu  %.1f MB  %.0f MB/s", bar,
            (int)(frac * 100), (unsigned long long)p->digests_done,
            (unsigned long long)p->digests_total, (unsigned long long)p->logs_done,
            (unsigned long long)p->logs_queued, mb, secs > 0 ? mb / secs : 0.0);
    fflush(p->f);
    p->drawn = true;
}

void progress_clear(progress *p)
{
    if (!p->on || !p->drawn) return;
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->drawn = false;
}

void progress_end(progress *p)
{
    progress_clear(p);
    p->on = false;
}
