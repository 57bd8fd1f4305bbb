#!/usr/bin/env node
// Loads the posts of a Hexo `source/` folder with real Hexo and prints their
// front-matter fields as JSON, one object per post, keyed by source path.
// Usage: node load_posts.js SOURCE_DIR   (SOURCE_DIR holds _posts/)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const Hexo = require('hexo');

async function main() {
  const sourceDir = path.resolve(process.argv[2]);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hexo-check-'));
  fs.writeFileSync(path.join(base, '_config.yml'),
    'title: check\nurl: http://example.com\ntimezone: UTC\nsource_dir: source\n');
  // Hexo loads the plugins named in the site's package.json from its node_modules.
  const pkg = require('./package.json');
  fs.writeFileSync(path.join(base, 'package.json'), JSON.stringify({
    name: 'check', hexo: { version: pkg.dependencies.hexo },
    dependencies: { 'hexo-renderer-marked': pkg.dependencies['hexo-renderer-marked'] },
  }));
  fs.symlinkSync(path.join(__dirname, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  fs.cpSync(sourceDir, path.join(base, 'source'), { recursive: true });
  const hexo = new Hexo(base, { silent: true });
  await hexo.init();
  await hexo.load();
  const out = {};
  hexo.locals.get('posts').forEach((p) => {
    out[p.source] = {
      title: p.title,
      date: p.date ? p.date.toISOString() : null,
      categories: p.categories.map((c) => c.name),
      author: p.author === undefined ? null : p.author,
      headimg: p.headimg === undefined ? null : p.headimg,
      thumbnail: p.thumbnail === undefined ? null : p.thumbnail,
      comments: p.comments,
      content: p._content,
    };
  });
  process.stdout.write(JSON.stringify(out));
  await hexo.exit();
  fs.rmSync(base, { recursive: true, force: true });
}
main().catch((e) => { console.error(e); process.exit(1); });
