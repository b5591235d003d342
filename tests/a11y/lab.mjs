// Open each notebook in JupyterLab in Debian's Chromium, run all its cells through the Run menu,
// and report what each cell showed; save a screenshot of the whole notebook. Print JSON.
//   node lab.mjs CHROMIUM LAB_URL TOKEN FOLDER NOTEBOOK.ipynb [NOTEBOOK.ipynb ...]
// NOTEBOOK is a path under the server's root folder; its screenshot is FOLDER/lab-STEM.png.
// Output: {"notebooks": [{"notebook", "cells", "counts", "errors": [{"cell", "ename", "evalue",
//   "shown"}], "stderr": [{"cell", "text"}], "unrendered": [{"cell", "type", "text"}],
//   "screenshot", "seconds"}]}
import { join, basename } from "node:path";
import { chromium } from "playwright-core";

const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const WIDTH = 1280;
const RUN_MS = 120_000;
const PAGES = 2;
const STDERR = '.jp-OutputArea-output.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]';

const [executablePath, lab, token, folder, ...notebooks] = process.argv.slice(2);

// What the notebook shows, cell by cell: its prompt ("[3]:"), its error outputs as the DOM
// renders them (a .jp-RenderedText of mime type application/vnd.jupyter.stderr, which both an
// error and a stream to stderr render as) and, to tell the two apart, each output's type in
// the notebook's model (window.jupyterapp: the server runs with expose_app_in_browser).
function cellsShown(selector) {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [...panel.content.node.querySelectorAll(".jp-Cell.jp-CodeCell")];
  const models = panel.content.widgets.filter((w) => w.model.type === "code");
  return cells.map((node, index) => {
    const outputs = models[index].model.outputs.toJSON();
    const rendered = [...node.querySelectorAll(".jp-OutputArea-child")].map((child) => ({
      stderr: child.querySelector(selector) !== null,
      text: (child.querySelector(".jp-OutputArea-output")?.textContent ?? "").slice(0, 2000),
    }));
    return {
      prompt: node.querySelector(".jp-InputArea-prompt")?.textContent.trim() ?? "",
      outputs: outputs.map((o, i) => ({
        type: o.output_type, name: o.name, ename: o.ename, evalue: o.evalue,
        stderr: rendered[i]?.stderr ?? false, text: rendered[i]?.text ?? "",
      })),
    };
  });
}

async function finished(page) {
  await page.waitForFunction(() => {
    const panel = window.jupyterapp?.shell.currentWidget;
    const indicator = panel?.node.querySelector(".jp-Notebook-ExecutionIndicator");
    const prompts = [...(panel?.node.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt") ?? [])];
    return indicator?.dataset.status === "idle" && prompts.every((p) => !p.textContent.includes("*"));
  }, null, { timeout: RUN_MS, polling: 250 });
}

async function runAll(page) {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  // the first prompt turns to [*] as soon as the run is queued
  await page.waitForFunction(() => {
    const first = window.jupyterapp.shell.currentWidget.node.querySelector(".jp-CodeCell .jp-InputArea-prompt");
    return first && first.textContent.trim() !== "[ ]:";
  }, null, { timeout: RUN_MS, polling: 100 });
  await finished(page);
}

async function screenshot(page, png) {
  // the notebook scrolls inside the page: make the window as tall as the notebook, then shoot
  const outer = () => window.jupyterapp.shell.currentWidget.node.querySelector(".jp-WindowedPanel-outer");
  const extra = await page.evaluate(`(${outer})().scrollHeight - (${outer})().clientHeight`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: WIDTH, height: size.height + Math.max(0, extra) });
  await page.evaluate(`(${outer})().scrollTop = 0`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: png });
  await page.setViewportSize(size);
}

async function one(context, notebook) {
  const started = Date.now();
  const page = await context.newPage();
  try {
    await page.goto(`${lab}/lab/tree/${notebook}?token=${token}&reset`, { waitUntil: "load" });
    await page.waitForFunction(
      (name) => window.jupyterapp?.shell.currentWidget?.context?.path.endsWith(name)
        && window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel,
      basename(notebook), { timeout: RUN_MS, polling: 200 },
    );
    await page.keyboard.press("Control+b"); // hide the file browser: the notebook's full width
    await runAll(page);
    const cells = await page.evaluate(cellsShown, STDERR);
    const png = join(folder, `lab-${basename(notebook, ".ipynb")}.png`);
    await screenshot(page, png);
    const outputs = cells.flatMap((cell, index) => cell.outputs.map((o) => ({ cell: index, ...o })));
    return {
      notebook,
      cells: cells.length,
      counts: cells.map((cell) => cell.prompt),
      errors: outputs.filter((o) => o.type === "error")
        .map(({ cell, ename, evalue, stderr }) => ({ cell, ename, evalue, shown: stderr })),
      stderr: outputs.filter((o) => o.type === "stream" && o.name === "stderr")
        .map(({ cell, text }) => ({ cell, text })),
      // an output that is neither an error nor a stream but shows as one: it failed to render
      unrendered: outputs.filter((o) => o.stderr && o.type !== "error" && o.type !== "stream")
        .map(({ cell, type, text }) => ({ cell, type, text })),
      screenshot: png,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await page.close();
    await shutDown(notebook);
  }
}

// End the notebook's kernel (as File > Close and Shut Down Notebook would), through the REST API.
async function shutDown(notebook) {
  const api = `${lab}/api/sessions`;
  const headers = { Authorization: `token ${token}` };
  const sessions = await (await fetch(api, { headers })).json();
  for (const session of sessions.filter((s) => s.path === notebook)) {
    await fetch(`${api}/${session.id}`, { method: "DELETE", headers });
  }
}

const browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
const results = [];
try {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  // two notebooks at a time, one on each core: each waits on its kernel much of the time
  const queue = notebooks.map((notebook, index) => ({ notebook, index }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      results[next.index] = await one(context, next.notebook);
    }
  };
  await Promise.all(Array.from({ length: PAGES }, worker));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ notebooks: results }));
