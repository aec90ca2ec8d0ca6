#!/usr/bin/env node
// tests/browser.js — drive headless Chromium through the DevTools protocol
// over --remote-debugging-pipe, with Node's standard library only.
//
//   node tests/browser.js [--size WxH] STEP...
//
// Steps run in order; the first that fails ends the run with exit 1:
//   open URL          navigate and wait for the load event
//   type TEXT         press the keys of TEXT one by one (keyDown/keyUp)
//   key NAME          press one key: ArrowDown ArrowUp Enter Escape Slash Backspace
//   wait JS           until the expression is truthy (5 s at most)
//   expect JS         the expression must be truthy now
//   eval JS           print the expression's value as JSON
//   shot FILE         screenshot of the whole page as PNG
//   size WxH          resize the window (CSS pixels)
//   nojs              disable JavaScript for the following loads
//   noerrors          no script exception or console error happened so far
//
// CHROMIUM names the browser (default: Debian's /usr/lib/chromium/chromium,
// without the /usr/bin/chromium wrapper script, which only adds flags).
// Exit 2 when it cannot be started.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const KEYS = {
	ArrowDown: { key: 'ArrowDown', code: 'ArrowDown', keyCode: 40 },
	ArrowUp: { key: 'ArrowUp', code: 'ArrowUp', keyCode: 38 },
	Enter: { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' },
	Escape: { key: 'Escape', code: 'Escape', keyCode: 27 },
	Backspace: { key: 'Backspace', code: 'Backspace', keyCode: 8 },
	Slash: { key: '/', code: 'Slash', keyCode: 191, text: '/' },
};

function fail(msg, code) {
	process.stderr.write('browser.js: ' + msg + '\n');
	process.exit(code || 1);
}

class Browser {
	constructor(exe) {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diver-chromium-'));
		this.proc = spawn(exe, [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--no-default-browser-check',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--disable-extensions', '--hide-scrollbars',
			'--mute-audio', '--remote-debugging-pipe',
			'--user-data-dir=' + this.dir, 'about:blank',
		], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
		this.id = 0;
		this.waiting = new Map();
		this.events = [];
		this.errors = [];
		this.buf = Buffer.alloc(0);
		this.stderr = '';
		this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); });
		this.proc.on('error', (e) => fail('cannot start ' + exe + ': ' + e.message, 2));
		this.proc.on('exit', (c) => {
			for (const [, w] of this.waiting)
				w.reject(new Error('chromium exited (' + c + '): ' + this.stderr.trim()));
			this.waiting.clear();
		});
		this.proc.stdio[4].on('data', (d) => this.receive(d));
	}

	receive(data) {
		this.buf = Buffer.concat([this.buf, data]);
		let nul;
		while ((nul = this.buf.indexOf(0)) >= 0) {
			const msg = JSON.parse(this.buf.subarray(0, nul).toString());
			this.buf = this.buf.subarray(nul + 1);
			if (msg.id && this.waiting.has(msg.id)) {
				const w = this.waiting.get(msg.id);
				this.waiting.delete(msg.id);
				if (msg.error)
					w.reject(new Error(w.method + ': ' + msg.error.message));
				else
					w.resolve(msg.result);
			} else if (msg.method === 'Runtime.exceptionThrown') {
				const d = msg.params.exceptionDetails;
				this.errors.push(d.exception ? d.exception.description : d.text);
			} else if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type === 'error') {
				this.errors.push(msg.params.args.map((a) => a.value || a.description).join(' '));
			} else if (msg.method) {
				this.events.push(msg);
			}
		}
	}

	send(method, params, session) {
		const id = ++this.id;
		const msg = { id, method, params: params || {} };
		if (session)
			msg.sessionId = session;
		return new Promise((resolve, reject) => {
			this.waiting.set(id, { resolve, reject, method });
			this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
		});
	}

	async event(method, timeout) {
		const end = Date.now() + (timeout || 10000);
		for (;;) {
			const i = this.events.findIndex((e) => e.method === method);
			if (i >= 0)
				return this.events.splice(i, 1)[0];
			if (Date.now() > end)
				throw new Error('timed out waiting for ' + method);
			await new Promise((r) => setTimeout(r, 10));
		}
	}

	/* Stop Chromium (a clean quit takes most of a second), remove its profile. */
	async close() {
		if (this.proc.exitCode === null && this.proc.signalCode === null) {
			const gone = new Promise((r) => this.proc.once('exit', r));
			this.proc.kill('SIGKILL');
			await gone;
		}
		for (let i = 0; i < 20; i++) {
			try {
				fs.rmSync(this.dir, { recursive: true, force: true });
				return;
			} catch (e) {
				/* a helper process still writing: try again shortly */
				await new Promise((r) => setTimeout(r, 100));
			}
		}
	}
}

class Page {
	constructor(b, session) {
		this.b = b;
		this.s = session;
	}

	cmd(method, params) {
		return this.b.send(method, params, this.s);
	}

	async open(url) {
		this.b.events = this.b.events.filter((e) => e.method !== 'Page.loadEventFired');
		const r = await this.cmd('Page.navigate', { url });
		if (r.errorText)
			throw new Error('cannot open ' + url + ': ' + r.errorText);
		await this.b.event('Page.loadEventFired');
	}

	async eval(expr) {
		const r = await this.cmd('Runtime.evaluate', {
			expression: expr, returnByValue: true, awaitPromise: true,
		});
		if (r.exceptionDetails)
			throw new Error('exception in `' + expr + '`: ' +
				(r.exceptionDetails.exception ? r.exceptionDetails.exception.description :
					r.exceptionDetails.text));
		return r.result.value;
	}

	async wait(expr) {
		const end = Date.now() + 5000;
		let last;
		for (;;) {
			try {
				if (await this.eval(expr))
					return;
			} catch (e) {
				last = e;       /* a page being replaced: try again */
			}
			if (Date.now() > end)
				throw new Error('timed out waiting for `' + expr + '`' +
					(last ? ' (' + last.message + ')' : ''));
			await new Promise((r) => setTimeout(r, 25));
		}
	}

	async press(k) {
		const base = { key: k.key, code: k.code, windowsVirtualKeyCode: k.keyCode,
			nativeVirtualKeyCode: k.keyCode };
		await this.cmd('Input.dispatchKeyEvent',
			Object.assign({ type: k.text ? 'keyDown' : 'rawKeyDown', text: k.text }, base));
		await this.cmd('Input.dispatchKeyEvent', Object.assign({ type: 'keyUp' }, base));
	}

	async type(text) {
		for (const ch of text) {
			const upper = ch.toUpperCase();
			await this.press({ key: ch, code: /[a-z]/i.test(ch) ? 'Key' + upper : '',
				keyCode: /[a-z0-9]/i.test(ch) ? upper.charCodeAt(0) : 0, text: ch });
		}
	}

	async size(spec) {
		const [w, h] = spec.split('x').map(Number);
		await this.cmd('Emulation.setDeviceMetricsOverride',
			{ width: w, height: h, deviceScaleFactor: 1, mobile: false });
		this.height = h;
	}

	async shot(file) {
		const m = await this.cmd('Page.getLayoutMetrics');
		const h = Math.min(Math.ceil(m.cssContentSize.height), 12000);
		const w = Math.ceil(m.cssLayoutViewport.clientWidth);
		const r = await this.cmd('Page.captureScreenshot', {
			format: 'png', captureBeyondViewport: true,
			clip: { x: 0, y: 0, width: w, height: h, scale: 1 },
		});
		fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
	}
}

async function run(steps, size) {
	const debian = '/usr/lib/chromium/chromium';
	const b = new Browser(process.env.CHROMIUM ||
		(fs.existsSync(debian) ? debian : '/usr/bin/chromium'));
	const timer = setTimeout(() => {
		b.close().then(() => fail('timed out after 60 s'));
	}, 60000);
	try {
		const { targetId } = await b.send('Target.createTarget', { url: 'about:blank' });
		const { sessionId } = await b.send('Target.attachToTarget', { targetId, flatten: true });
		const p = new Page(b, sessionId);
		await p.cmd('Page.enable');
		await p.cmd('Runtime.enable');
		await p.size(size);
		for (let i = 0; i < steps.length; i++) {
			const [op, arg] = [steps[i], steps[i + 1]];
			i++;
			switch (op) {
			case 'open': await p.open(arg); break;
			case 'type': await p.type(arg); break;
			case 'key':
				if (!KEYS[arg])
					throw new Error('unknown key ' + arg);
				await p.press(KEYS[arg]);
				break;
			case 'wait': await p.wait(arg); break;
			case 'expect':
				if (!(await p.eval(arg)))
					throw new Error('expected `' + arg + '` to hold');
				break;
			case 'eval': console.log(JSON.stringify(await p.eval(arg))); break;
			case 'shot': await p.shot(arg); break;
			case 'size': await p.size(arg); break;
			case 'noerrors':
				i--;
				if (b.errors.length)
					throw new Error('errors on the page: ' + b.errors.join('; '));
				break;
			case 'nojs':
				i--;
				await p.cmd('Emulation.setScriptExecutionDisabled', { value: true });
				break;
			default: throw new Error('unknown step ' + op);
			}
		}
	} finally {
		clearTimeout(timer);
		await b.close();
	}
}

const args = process.argv.slice(2);
let size = '1280x900';
if (args[0] === '--size') {
	size = args[1];
	args.splice(0, 2);
}
run(args, size).catch((e) => fail(e.message));
