'use strict';
// A throwaway Hexo site whose source/ is a copy of SOURCE_DIR, with the pinned plugins of
// this folder: shared by load_posts.js and generate_site.js.
const fs = require('fs');
const os = require('os');
const path = require('path');
const Hexo = require('hexo');

function makeSite(sourceDir, extraConfig = '') {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hexo-site-'));
  fs.writeFileSync(path.join(base, '_config.yml'),
    'title: check\nurl: http://example.com\ntimezone: UTC\nsource_dir: source\n' + extraConfig);
  // Hexo loads the plugins named in the site's package.json from its node_modules.
  const pkg = require('./package.json');
  fs.writeFileSync(path.join(base, 'package.json'), JSON.stringify({
    name: 'check', hexo: { version: pkg.dependencies.hexo },
    dependencies: { 'hexo-renderer-marked': pkg.dependencies['hexo-renderer-marked'] },
  }));
  fs.symlinkSync(path.join(__dirname, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  fs.cpSync(path.resolve(sourceDir), path.join(base, 'source'), { recursive: true });
  return { base, hexo: new Hexo(base, { silent: true }) };
}

module.exports = { makeSite };
