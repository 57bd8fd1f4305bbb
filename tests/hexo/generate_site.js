#!/usr/bin/env node
// Generates a Hexo site whose `source/` is SOURCE_DIR (as a user would point Hexo at an
// archive) and prints, as JSON, every generated file under public/ with its size and,
// for HTML files, its text. No theme: pages are their rendered content.
// Usage: node generate_site.js SOURCE_DIR
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const Hexo = require('hexo');

function walk(dir, root, out) {
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) walk(full, root, out);
    else {
      const rel = path.relative(root, full).split(path.sep).join('/');
      out[rel] = { size: fs.statSync(full).size,
        text: rel.endsWith('.html') ? fs.readFileSync(full, 'utf8') : null };
    }
  }
  return out;
}

async function main() {
  const sourceDir = path.resolve(process.argv[2]);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hexo-site-'));
  fs.writeFileSync(path.join(base, '_config.yml'),
    'title: check\nurl: http://example.com\ntimezone: UTC\nsource_dir: source\npublic_dir: public\n' +
    'permalink: :year/:month/:day/:title/\n');
  const pkg = require('./package.json');
  fs.writeFileSync(path.join(base, 'package.json'), JSON.stringify({
    name: 'check', hexo: { version: pkg.dependencies.hexo },
    dependencies: { 'hexo-renderer-marked': pkg.dependencies['hexo-renderer-marked'] },
  }));
  fs.symlinkSync(path.join(__dirname, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  fs.cpSync(sourceDir, path.join(base, 'source'), { recursive: true });
  const hexo = new Hexo(base, { silent: true });
  await hexo.init();
  await hexo.call('generate', {});
  await hexo.exit();
  process.stdout.write(JSON.stringify(walk(path.join(base, 'public'), path.join(base, 'public'), {})));
  fs.rmSync(base, { recursive: true, force: true });
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
