#!/usr/bin/env node
// Loads the posts of a Hexo `source/` folder with real Hexo and prints their
// front-matter fields as JSON, one object per post, keyed by source path.
// Usage: node load_posts.js SOURCE_DIR   (SOURCE_DIR holds _posts/)
'use strict';
const fs = require('fs');
const { makeSite } = require('./site');

async function main() {
  const { base, hexo } = makeSite(process.argv[2]);
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
