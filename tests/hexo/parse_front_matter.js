#!/usr/bin/env node
// Reads one JSON string (a whole post) per line on stdin and writes one JSON line per
// post: the front matter as Hexo's own parser (hexo-front-matter, js-yaml) reads it,
// or {"error": "..."}. Used by the property-based tests; stays up for many posts.
'use strict';
const readline = require('readline');
const { parse } = require('hexo-front-matter');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  let out;
  try {
    const data = parse(JSON.parse(line));
    out = { title: data.title, author: data.author, categories: data.categories };
  } catch (e) {
    out = { error: String(e && e.message || e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
