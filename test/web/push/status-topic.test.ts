import { describe, expect, it } from 'vitest';
import { callApi } from '../../helpers/test-app.ts';
import { useSocketTestApp } from '../../helpers/ws-client.ts';
import { statusPageTopic } from '../../../common/status-charts.ts';

const server = useSocketTestApp();

type StatusData = {
  history?: { times: number[]; values: Record<string, (number | null)[]> };
  latest?: { time: number; values: Record<string, number> };
  samples?: { time: number; values: Record<string, number> }[];
};

describe('the status topic and API', () => {
  it('sends the history, then each new sample, and samples only while followed', async () => {
    expect(server.t.app.core.status.isSampling).toBe(false);
    const socket = server.connect(server.admin.cookie);
    await socket.opened();
    socket.send({ subscribe: ['status'] });
    const snapshot = await socket.waitFor(
      () => socket.messages.find((m) => m.target === 'status' && (m.data as StatusData).history),
      'the history',
    );
    expect(Array.isArray((snapshot.data as StatusData).history!.times)).toBe(true);
    // Rates need two readings: the second sample has them.
    const samples = () => socket.messages.flatMap((m) => (m.data as StatusData).samples ?? []);
    await socket.waitFor(() => samples().length >= 2, 'two samples');
    const [, second] = samples();
    expect(second!.values['cpu.user']).toBeGreaterThanOrEqual(0);
    expect(second!.values['memory.total']).toBeGreaterThan(0);
    expect(second!.values['daemon.sockets']).toBeGreaterThanOrEqual(1);
    expect(second!.values['load.1']).toBeGreaterThanOrEqual(0);
    expect(second!.values['daemon.pushRefusals']).toBeGreaterThanOrEqual(0);
    expect(server.t.app.core.status.isSampling).toBe(true);

    // The push channel's refusals show as a rate in the daemon's figures.
    const refused = server.connect(server.member.cookie);
    await refused.opened();
    refused.send({ subscribe: ['status', 'nosuch'] });
    await refused.waitFor(() => refused.messages.find((m) => m.action === 'notify'), 'the refusal');
    await socket.waitFor(() => samples().some((sample) => sample.values['daemon.pushRefusals']! > 0), 'a refusal rate');

    // A second follower, then both go: one by unsubscribing, one by closing its socket.
    const other = server.connect(server.admin.cookie);
    await other.opened();
    other.send({ subscribe: ['status'] });
    await other.waitFor(() => other.messages.find((m) => m.target === 'status'), 'the history');
    socket.send({ unsubscribe: ['status'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.t.app.core.status.isSampling).toBe(true);
    other.close();
    const end = Date.now() + 3000;
    while (server.t.app.core.status.isSampling && Date.now() < end)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.t.app.core.status.isSampling).toBe(false);
    expect(server.t.app.core.status.getHistory('10m').length).toBeGreaterThanOrEqual(2);
  });

  it("sends a page the history of its charts' metrics and the last sample whole, then every sample", async () => {
    const all = server.connect(server.admin.cookie);
    await all.opened();
    all.send({ subscribe: ['status'] });
    const samples = (socket: typeof all) => socket.messages.flatMap((m) => (m.data as StatusData).samples ?? []);
    await all.waitFor(() => samples(all).length >= 2, 'two samples');
    const page = server.connect(server.admin.cookie);
    await page.opened();
    page.send({ subscribe: [statusPageTopic] });
    const snapshot = await page.waitFor(
      () => page.messages.find((m) => m.target === 'status' && (m.data as StatusData).history),
      'the history',
    );
    const { history, latest } = snapshot.data as StatusData;
    const metrics = Object.keys(history!.values);
    expect(metrics).toEqual(expect.arrayContaining(['cpu.user', 'cpu.steal', 'memory.used', 'swap.used']));
    expect(
      metrics.every((key) => /^(cpu\.(user|system|iowait|steal)|memory\.|swap\.used|net\.|disk\.)/.test(key)),
    ).toBe(true);
    expect(metrics).not.toContain('cpu.idle');
    expect(metrics).not.toContain('daemon.rss');
    expect(latest!.time).toBe(history!.times.at(-1));
    expect(latest!.values['daemon.rss']).toBeGreaterThan(0);
    expect(latest!.values['load.1']).toBeGreaterThanOrEqual(0);
    // Both follow the ticks, each sample whole.
    const before = samples(page).length;
    await page.waitFor(() => samples(page).length > before, 'a sample');
    expect(samples(page).at(-1)!.values['daemon.rss']).toBeGreaterThan(0);
    await all.waitFor(() => samples(all).some((sample) => sample.time === samples(page).at(-1)!.time), 'the same');

    // Charts unknown, named twice or none are refused.
    const wrong = server.connect(server.admin.cookie);
    await wrong.opened();
    wrong.send({ subscribe: ['status/cpu,cpu', 'status/nosuch', 'status/'] });
    const notice = await wrong.waitFor(() => wrong.messages.find((m) => m.action === 'notify'), 'the refusal');
    expect(notice.html).toContain('status/nosuch');
    expect(wrong.messages.some((m) => m.target === 'status')).toBe(false);
    for (const socket of [all, page, wrong]) socket.close();
  });

  it('refuses the topic to a non-admin', async () => {
    const socket = server.connect(server.member.cookie);
    await socket.opened();
    socket.send({ subscribe: ['status', statusPageTopic] });
    await socket.waitFor(() => socket.messages.find((m) => m.action === 'notify'), 'the refusal');
    expect(socket.frames.join('')).not.toContain('cpu.');
    expect(server.t.app.core.status.isSampling).toBe(false);
  });

  it('answers the current figures and the history of a range, filtered by metric prefix', async () => {
    const current = await callApi(server.t.app, server.admin, 'GET', '/api/v1/status');
    expect(current.statusCode).toBe(200);
    expect(current.json().values['memory.total']).toBeGreaterThan(0);
    expect(current.json().values).toHaveProperty('cpu.idle');
    const memory = await callApi(server.t.app, server.admin, 'GET', '/api/v1/status?metric=memory.,swap.');
    expect(Object.keys(memory.json().values).every((key) => /^(memory|swap)\./.test(key))).toBe(true);
    const history = await callApi(server.t.app, server.admin, 'GET', '/api/v1/status/history?range=10m&metric=load.');
    expect(history.json().range).toBe('10m');
    expect(history.json().samples.length).toBeGreaterThan(0);
    expect(Object.keys(history.json().samples[0].values)).toEqual(['load.1', 'load.5', 'load.15']);
    expect((await callApi(server.t.app, server.admin, 'GET', '/api/v1/status/history?range=1y')).statusCode).toBe(400);
    expect((await callApi(server.t.app, server.member, 'GET', '/api/v1/status')).statusCode).toBe(403);
    expect(server.t.app.core.status.isSampling).toBe(false);
  });
});
