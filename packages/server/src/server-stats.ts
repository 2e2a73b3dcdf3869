/** Counters behind srvr/stat/mntr and the metrics. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Connections refused by maxClientCnxns. */
  connectionsRejected = 0;
  /** Connections closed because they never completed the handshake. */
  sessionlessExpired = 0;
  /** fsync durations (ms), for mntr's zk_*_fsynctime. */
  fsyncCount = 0;
  fsyncTotal = 0;
  fsyncMin = 0;
  fsyncMax = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  latencyCount = 0;
  readonly startedAt = Date.now();

  recordLatency(ms: number): void {
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.latencyCount++;
  }

  recordFsync(ms: number): void {
    this.fsyncMin = this.fsyncCount === 0 ? ms : Math.min(this.fsyncMin, ms);
    this.fsyncMax = Math.max(this.fsyncMax, ms);
    this.fsyncTotal += ms;
    this.fsyncCount++;
  }

  get avgLatency(): number {
    return this.latencyCount ? this.totalLatency / this.latencyCount : 0;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.latencyCount = 0;
  }
}
