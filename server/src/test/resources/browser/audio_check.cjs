#!/usr/bin/env node
'use strict';
// Opens one of the server's player pages in headless Chromium and reports whether the stream plays WITH audio:
// the <video> element's currentTime must advance by --min-advance seconds and Chromium's decoder must have
// decoded audio (webkitAudioDecodedByteCount grows while playing). Also reports the audio codec hls.js read
// from the playlist, and every hls.js error seen after the page loaded.
//
// Usage: node audio_check.cjs --url PAGE_URL [--timeout-seconds 25] [--min-advance 3] [--chromium PATH]
// Run it with the working directory set to a folder whose node_modules holds playwright-core.
// Output: exactly one JSON line on stdout. Exit status: 0 = plays with audio, 1 = does not, 2 = cannot run.

const path = require('path');
const { createRequire } = require('module');

function parseArgs(argv) {
  const options = { url: '', timeoutSeconds: 25, minAdvance: 3, chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--url': options.url = value; break;
      case '--timeout-seconds': options.timeoutSeconds = Number(value); break;
      case '--min-advance': options.minAdvance = Number(value); break;
      case '--chromium': options.chromium = value; break;
      default: throw new Error('unknown argument: ' + argv[i]);
    }
  }
  if (!options.url) {
    throw new Error('--url is required');
  }
  return options;
}

function requireFromCwd(name) {
  return createRequire(path.join(process.cwd(), 'noop.js'))(name);
}

// Runs in the page.
function sample() {
  const video = document.querySelector('video');
  const hls = window.hls;
  const level = hls && hls.levels && hls.levels[0];
  return {
    time: video ? video.currentTime : 0,
    audioBytes: video && typeof video.webkitAudioDecodedByteCount === 'number' ? video.webkitAudioDecodedByteCount : -1,
    videoBytes: video && typeof video.webkitVideoDecodedByteCount === 'number' ? video.webkitVideoDecodedByteCount : -1,
    error: video && video.error ? video.error.code + ' ' + video.error.message : null,
    audioCodec: level ? level.audioCodec || null : null,
    videoCodec: level ? level.videoCodec || null : null,
    hlsErrors: (window.__audioCheckErrors || []).slice(0, 20)
  };
}

function watchErrors() {
  window.__audioCheckErrors = window.__audioCheckErrors || [];
  if (window.hls && window.Hls && !window.__audioCheckHooked) {
    window.__audioCheckHooked = true;
    window.hls.on(window.Hls.Events.ERROR, (event, data) => {
      window.__audioCheckErrors.push(data.type + '/' + data.details + (data.fatal ? ' fatal' : ''));
    });
  }
  return !!window.__audioCheckHooked;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: 'usage: ' + e.message }));
    return 2;
  }
  let browser;
  try {
    browser = await requireFromCwd('playwright-core').chromium.launch({
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
  let result;
  const notes = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => notes.push('pageerror: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') notes.push('console: ' + m.text()); });
    await page.goto(options.url, { waitUntil: 'load', timeout: 15000 });
    const started = Date.now();
    let first = null;
    let last = null;
    while (Date.now() - started < options.timeoutSeconds * 1000) {
      await page.evaluate(watchErrors);
      last = await page.evaluate(sample);
      if (first === null && last.time > 0) {
        first = last;
      }
      if (first !== null && last.time - first.time >= options.minAdvance && last.audioBytes > first.audioBytes) {
        break;
      }
      await page.waitForTimeout(250);
    }
    const advance = first === null ? 0 : last.time - first.time;
    const audioGrowth = first === null ? 0 : last.audioBytes - first.audioBytes;
    const ok = advance >= options.minAdvance && audioGrowth > 0 && !last.error;
    result = { ok, advance: Number(advance.toFixed(2)), audioBytes: last.audioBytes, audioGrowth,
      videoBytes: last.videoBytes, audioCodec: last.audioCodec, videoCodec: last.videoCodec, error: last.error,
      hlsErrors: last.hlsErrors, notes: notes.slice(0, 20) };
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
