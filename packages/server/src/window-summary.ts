import { Summary, type Registry } from 'prom-client';

/**
 * A Prometheus summary whose quantiles come from the last `window` observations, recorded on
 * the request path as one typed-array store (prom-client's observe() updates a t-digest per
 * call, too dear per request); count and sum stay exact. Built only when scraped.
 */
export class WindowSummary extends Summary {
  private readonly samples: Float64Array;
  private filled = 0;
  private next = 0;
  private total = 0;
  private sumOf = 0;

  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    private readonly quantiles: readonly number[],
    registry: Registry,
    window = 4096,
  ) {
    super({ name: metricName, help: metricHelp, percentiles: [...quantiles], registers: [registry] });
    this.samples = new Float64Array(window);
  }

  record(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled++;
    this.total++;
    this.sumOf += value;
  }

  /** What prom-client's registry renders (it prefers this to get(), as for LatencyHistogram). */
  async getForPromString() {
    const sorted = this.samples.slice(0, this.filled).sort();
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    const series = (metricName: string, labels: Record<string, number>, value: number) => ({ labels, value, metricName });
    return {
      name: this.metricName,
      help: this.metricHelp,
      type: 'summary' as const,
      aggregator: 'sum' as const,
      values: [
        ...this.quantiles.map((q) => series(this.metricName, { quantile: q }, at(q))),
        series(`${this.metricName}_sum`, {}, this.sumOf),
        series(`${this.metricName}_count`, {}, this.total),
      ],
    };
  }

  override async get(): ReturnType<Summary['get']> {
    // prom-client's typings declare `type` as a numeric enum; at run time it is the string
    return (await this.getForPromString()) as unknown as Awaited<ReturnType<Summary['get']>>;
  }
}
