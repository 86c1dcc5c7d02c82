// Peer benchmark for tests/bench/cat_step: @bdelab/jscat (maximum Fisher information
// selection + EAP update) on the same engine bank. Usage: node bench.cjs BANK.jsonl STEPS
// Prints one JSON line: {"items", "steps", "select_ms_median", "select_ms_p99", "step_ms_median"}.
'use strict';
const fs = require('fs');
const { Cat } = require('@bdelab/jscat');

const bankPath = process.argv[2];
const steps = parseInt(process.argv[3] || '20', 10);
const stimuli = fs.readFileSync(bankPath, 'utf8').split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => JSON.parse(l))
  .filter((it) => (it.status || 'operational') === 'operational' && it.model !== 'gpcm')
  .map((it) => ({ id: it.id, a: (it.D || 1) * it.a, b: it.b, c: it.c || 0, d: 1 }));

// Deterministic responses: a simulated candidate at theta = 0.3 (LCG, same every run).
let s = 12345;
const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
const cat = new Cat({ method: 'EAP', itemSelect: 'MFI', nStartItems: 0, theta: 0, minTheta: -6, maxTheta: 6,
  priorDist: 'norm', priorPar: [0, 1], randomSeed: 'riss' });
let remaining = stimuli;
const sel = [], step = [];
for (let k = 0; k < steps; k++) {
  const t0 = process.hrtime.bigint();
  const { nextStimulus, remainingStimuli } = cat.findNextItem(remaining, 'MFI');
  const t1 = process.hrtime.bigint();
  const ns = nextStimulus;
  const a = ns.a ?? ns.discrimination, b = ns.b ?? ns.difficulty, c = ns.c ?? ns.guessing ?? 0;
  const p = c + (1 - c) / (1 + Math.exp(-a * (0.3 - b)));
  cat.updateAbilityEstimate(nextStimulus, rand() < p ? 1 : 0);
  const t2 = process.hrtime.bigint();
  remaining = remainingStimuli;
  sel.push(Number(t1 - t0) / 1e6);
  step.push(Number(t2 - t0) / 1e6);
}
const q = (v, f) => { const a = [...v].sort((x, y) => x - y); return a[Math.min(a.length - 1, Math.floor(f * a.length))]; };
console.log(JSON.stringify({ items: stimuli.length, steps, select_ms_median: q(sel, 0.5), select_ms_p99: q(sel, 0.99),
  step_ms_median: q(step, 0.5), theta: cat.theta }));
