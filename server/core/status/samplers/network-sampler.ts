import { getCounterDelta, parseNetDev, type InterfaceCounters } from '../parse-proc.ts';
import { getRate, type ProcFiles, type Sampler, type SampleValues } from '../sampler.ts';

// Received and sent bytes per second and errors per second of each interface
// (`net.<name>.rx`, `.tx`, `.errors`); loopback is left out unless asked for. An interface
// that appears gets rates from its second reading; one that goes is simply absent.
export function createNetworkSampler(proc: ProcFiles, options: { includeLoopback?: boolean } = {}): Sampler {
  let previous: { time: number; interfaces: Map<string, InterfaceCounters> } | null = null;
  return {
    name: 'network',
    async sample(time) {
      const interfaces = parseNetDev(await proc.read('net/dev'));
      if (!options.includeLoopback) interfaces.delete('lo');
      const values: SampleValues = {};
      for (const [name, now] of interfaces) {
        const before = previous?.interfaces.get(name);
        if (!before) continue;
        const elapsed = time - previous!.time;
        values[`net.${name}.rx`] = getRate(getCounterDelta(before.rxBytes, now.rxBytes), elapsed);
        values[`net.${name}.tx`] = getRate(getCounterDelta(before.txBytes, now.txBytes), elapsed);
        values[`net.${name}.errors`] = getRate(
          getCounterDelta(before.rxErrors, now.rxErrors) + getCounterDelta(before.txErrors, now.txErrors),
          elapsed,
        );
      }
      previous = { time, interfaces };
      return values;
    },
    stop() {
      previous = null;
    },
  };
}
