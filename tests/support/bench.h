/* Timing helpers shared by the benchmarks. Benches report medians of several runs, and
 * time on the calling thread's CPU clock where the machine may be shared (a busy
 * neighbour then slows neither side of a ratio), or on the monotonic wall clock where
 * waiting is part of the figure (HTTP, upstream round trips). */
#ifndef CANDOR_TEST_BENCH_H
#define CANDOR_TEST_BENCH_H

/* Seconds of CPU time used by this thread. */
double bench_thread_cpu_seconds(void);
/* Seconds on the monotonic clock. */
double bench_wall_seconds(void);
/* Median of v[0..n) (sorts v in place); the mean of the middle two when n is even. */
double bench_median(double *v, int n);

#endif
