#!/usr/bin/env node
// Generates a Hexo site whose `source/` is SOURCE_DIR (as a user would point Hexo at an
// archive) and prints, as JSON, every generated file under public/ with its size and,
// for HTML files, its text. No theme is installed, so pages are empty: what it checks is
// that the site builds and that static files (images/) are published.
// Usage: node generate_site.js SOURCE_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { makeSite } = require('./site');

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
  const { base, hexo } = makeSite(process.argv[2], 'public_dir: public\npermalink: :year/:month/:day/:title/\n');
  await hexo.init();
  await hexo.call('generate', {});
  await hexo.exit();
  process.stdout.write(JSON.stringify(walk(path.join(base, 'public'), path.join(base, 'public'), {})));
  fs.rmSync(base, { recursive: true, force: true });
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
