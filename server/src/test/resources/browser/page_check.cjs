#!/usr/bin/env node
'use strict';
// Opens one of the server's own player pages (for example http://127.0.0.1:PORT/live/cam1/) in headless
// Chromium and reports whether the page really plays: the <video> element's currentTime must move forward by
// at least --min-advance seconds and a frame drawn onto a canvas must show a picture (not one flat colour).
//
// Usage: node page_check.cjs --url PAGE_URL [--timeout-seconds 20] [--min-advance 2] [--screenshot FILE]
//                            [--chromium /usr/bin/chromium]
// Run it with the working directory set to a folder whose node_modules holds playwright-core.
// Output: exactly one JSON line on stdout. Exit status: 0 = plays, 1 = does not play, 2 = cannot run.

const path = require('path');
const { createRequire } = require('module');

function parseArgs(argv) {
  const options = { url: '', timeoutSeconds: 20, minAdvance: 2, screenshot: '', chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[i + 1];
    switch (name) {
      case '--url': options.url = value; i++; break;
      case '--timeout-seconds': options.timeoutSeconds = Number(value); i++; break;
      case '--min-advance': options.minAdvance = Number(value); i++; break;
      case '--screenshot': options.screenshot = value; i++; break;
      case '--chromium': options.chromium = value; i++; break;
      default: throw new Error('unknown argument: ' + name);
    }
  }
  if (!options.url) {
    throw new Error('--url is required');
  }
  return options;
}

// The modules live in the caller's working directory, not beside this file.
function loadFromWorkingDirectory(moduleName) {
  const localRequire = createRequire(path.join(process.cwd(), 'noop.js'));
  return localRequire(moduleName);
}

// Runs inside the page: what the <video> element is doing right now, plus a coarse look at its picture.
function inspectVideo() {
  const video = document.querySelector('video');
  const state = {
    found: !!video, time: 0, readyState: 0, width: 0, height: 0, paused: true, error: null,
    hlsJs: typeof window.Hls === 'function', hlsJsInstance: !!window.hls, status: '',
    lumaMin: -1, lumaMax: -1, lumaMean: -1, colours: 0, fingerprint: '', canvasError: null
  };
  const statusElement = document.getElementById('status');
  state.status = statusElement ? statusElement.textContent : '';
  if (!video) {
    return state;
  }
  state.time = video.currentTime;
  state.readyState = video.readyState;
  state.width = video.videoWidth;
  state.height = video.videoHeight;
  state.paused = video.paused;
  state.error = video.error ? video.error.code + ' ' + video.error.message : null;
  if (video.readyState < 2 || video.videoWidth === 0) {
    return state;
  }
  try {
    const columns = 48;
    const rows = 27;
    const canvas = document.createElement('canvas');
    canvas.width = columns;
    canvas.height = rows;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, columns, rows);
    const pixels = context.getImageData(0, 0, columns, rows).data;
    let min = 255;
    let max = 0;
    let sum = 0;
    let hash = 2166136261;
    const palette = new Set();
    for (let i = 0; i < pixels.length; i += 4) {
      const luma = Math.round(0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2]);
      min = Math.min(min, luma);
      max = Math.max(max, luma);
      sum += luma;
      // Colours quantised to 4 levels per channel, so encoder noise does not count as variety.
      palette.add((pixels[i] >> 6) * 16 + (pixels[i + 1] >> 6) * 4 + (pixels[i + 2] >> 6));
      hash = Math.imul(hash ^ (luma >> 3), 16777619) >>> 0;
    }
    state.lumaMin = min;
    state.lumaMax = max;
    state.lumaMean = Math.round(sum / (pixels.length / 4));
    state.colours = palette.size;
    state.fingerprint = hash.toString(16);
  } catch (e) {
    state.canvasError = String(e);
  }
  return state;
}

function isPicture(sample) {
  return sample.lumaMax - sample.lumaMin > 40 && sample.colours >= 4;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: 'usage: ' + e.message }));
    return 2;
  }

  let chromium;
  try {
    chromium = loadFromWorkingDirectory('playwright-core').chromium;
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: 'playwright-core not found from ' + process.cwd() }));
    return 2;
  }

  let browser;
  try {
    browser = await chromium.launch({
      executablePath: options.chromium,
      headless: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--mute-audio',
        '--autoplay-policy=no-user-gesture-required',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ::1'
      ]
    });
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: 'cannot launch chromium: ' + String(e.message).split('\n')[0] }));
    return 2;
  }

  const notes = [];
  const requests = [];
  const started = Date.now();
  let result;
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 520 } });
    page.on('pageerror', (e) => notes.push('pageerror: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') notes.push('console: ' + m.text()); });
    page.on('requestfailed', (r) => notes.push('requestfailed: ' + r.url() + ' ' + ((r.failure() || {}).errorText)));
    page.on('response', (r) => {
      if (requests.length < 400) {
        requests.push(r.status() + ' ' + new URL(r.url()).pathname);
      }
    });
    const response = await page.goto(options.url, { waitUntil: 'load', timeout: 15000 });
    const pageStatus = response ? response.status() : 0;

    let first = null;
    let last = null;
    const fingerprints = new Set();
    const deadline = started + options.timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      last = await page.evaluate(inspectVideo);
      if (last.time > 0 && first === null) {
        first = { time: last.time, atMs: Date.now() - started };
      }
      if (isPicture(last)) {
        fingerprints.add(last.fingerprint);
      }
      const advance = first === null ? 0 : last.time - first.time;
      // Done once playback moved far enough and at least two different real pictures were seen.
      if (advance >= options.minAdvance && isPicture(last) && fingerprints.size >= 2) {
        break;
      }
      await page.waitForTimeout(250);
    }

    if (options.screenshot) {
      await page.screenshot({ path: options.screenshot });
    }
    const advance = first === null ? 0 : last.time - first.time;
    const ok = pageStatus === 200 && last.hlsJs && last.hlsJsInstance && advance >= options.minAdvance
      && isPicture(last) && fingerprints.size >= 2 && !last.error;
    result = {
      ok, pageStatus, advance: Number(advance.toFixed(2)), currentTime: Number(last.time.toFixed(2)),
      firstPlayingAfterMs: first === null ? null : first.atMs, elapsedMs: Date.now() - started,
      width: last.width, height: last.height, readyState: last.readyState, paused: last.paused,
      hlsJs: last.hlsJs, hlsJsInstance: last.hlsJsInstance, status: last.status, videoError: last.error,
      lumaMin: last.lumaMin, lumaMax: last.lumaMax, lumaMean: last.lumaMean, colours: last.colours,
      distinctPictures: fingerprints.size, canvasError: last.canvasError,
      requests: requests.slice(0, 40), notes: notes.slice(0, 20)
    };
  } catch (e) {
    result = { ok: false, error: String(e && e.message || e).split('\n')[0], notes: notes.slice(0, 20) };
  } finally {
    await browser.close().catch(() => {});
  }
  console.log(JSON.stringify(result));
  return result.ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.log(JSON.stringify({ ok: false, error: String(e) }));
  process.exit(2);
});
