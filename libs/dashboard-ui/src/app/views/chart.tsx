import 'uplot/dist/uPlot.min.css';

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

import { timeOfDay } from '../format.js';
import type { Series } from '../model.js';

const COLORS = {
  received: '#c9d3df',
  treated: '#2f5d8a',
  missed: '#b42318',
  aht: '#6b7280',
};

/**
 * Received (bars), treated and missed (lines) per interval, and average handling time
 * (dashed, right axis), drawn by uPlot; times in the contact center's zone.
 */
export function IntervalChart(props: {
  readonly series: Series;
  readonly stepMs: number;
  readonly timeZone: string;
  readonly label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { series, stepMs, timeZone } = props;

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const barsOf: typeof uPlot.paths.bars | undefined = uPlot.paths.bars;
    const bars = barsOf === undefined ? undefined : barsOf({ size: [0.7, 48], align: 1 });
    const options: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
      cursor: { points: { size: 6 } },
      legend: { live: true },
      scales: {
        // the last bar is the whole current interval
        x: { time: true, range: (_u, min, max) => [min, max + stepMs / 1000] },
        n: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] },
        s: { range: (_u, _min, max) => [0, Math.max(60, max * 1.15)] },
      },
      axes: [
        {
          stroke: '#5b6470',
          grid: { stroke: '#eef1f4' },
          ticks: { stroke: '#d8dde3' },
          values: (_u, splits) => splits.map((s) => timeOfDay(s * 1000, timeZone)),
        },
        {
          scale: 'n',
          stroke: '#5b6470',
          grid: { stroke: '#eef1f4' },
          ticks: { show: false },
          size: 44,
        },
        {
          scale: 's',
          // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- uPlot.Side.Right, a const enum
          side: 1,
          stroke: '#5b6470',
          grid: { show: false },
          ticks: { show: false },
          values: (_u, splits) => splits.map((v) => `${v} s`),
          size: 56,
        },
      ],
      series: [
        {},
        {
          label: 'Received',
          scale: 'n',
          stroke: COLORS.received,
          fill: COLORS.received,
          width: 0,
          ...(bars === undefined ? {} : { paths: bars }),
          points: { show: false },
        },
        { label: 'Treated', scale: 'n', stroke: COLORS.treated, width: 2 },
        { label: 'Missed', scale: 'n', stroke: COLORS.missed, width: 2 },
        {
          label: 'AHT',
          scale: 's',
          stroke: COLORS.aht,
          width: 1.5,
          dash: [5, 4],
          value: (_u, v: number | null) => (v === null ? '–' : `${Math.round(v)} s`),
          spanGaps: true,
        },
      ],
    };
    const chart = new uPlot(options, [[], [], [], [], []], el);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(280, el.clientWidth), height: 260 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [timeZone, stepMs]);

  useEffect(() => {
    // bars start at the interval's start; the x range covers the whole last interval
    plot.current?.setData([
      series.starts,
      series.received,
      series.treated,
      series.missed,
      series.ahtSeconds,
    ] as uPlot.AlignedData);
  }, [series, stepMs]);

  return <div class="chart" ref={box} role="img" aria-label={props.label} />;
}
