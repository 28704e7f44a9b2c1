(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('waveflow-data').textContent);
  const answers = {};   // pair id -> { choice, comment, leftPlays, rightPlays }
  const mirror = document.getElementById('waveflow-results');

  function decodeKey() {
    const bytes = Uint8Array.from(atob(data.key), c => c.charCodeAt(0));
    const salt = new TextEncoder().encode(data.reportId);
    for (let i = 0; i < bytes.length; i++) bytes[i] ^= salt[i % salt.length];
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  function state(id) {
    return answers[id] || (answers[id] = { choice: null, comment: '', leftPlays: 0, rightPlays: 0 });
  }

  function results() {
    const key = decodeKey();
    const list = [];
    for (const p of data.pairs) {
      const s = answers[p.id];
      if (!s || !s.choice) continue;
      list.push({ pair: p.id, clip: p.clip, left: key[p.left], right: key[p.right], choice: s.choice,
                  comment: s.comment, leftPlays: s.leftPlays, rightPlays: s.rightPlays });
    }
    return { format: 'waveflow-ab-results', version: 1, reportId: data.reportId,
             listener: document.getElementById('listener').value.trim() || null,
             exportedAt: new Date().toISOString(), pairs: data.pairs.length, answers: list };
  }

  function refresh() {
    const n = data.pairs.filter(p => answers[p.id] && answers[p.id].choice).length;
    document.getElementById('progress').textContent = n + ' of ' + data.pairs.length + ' pairs answered';
    for (const p of data.pairs) {
      const el = document.getElementById('pair-' + p.id);
      if (el) el.classList.toggle('answered', !!(answers[p.id] && answers[p.id].choice));
    }
    mirror.textContent = JSON.stringify(results());
  }

  function side(p, which, label) {
    const box = document.createElement('div');
    box.className = 'side';
    const title = document.createElement('strong');
    title.textContent = label;
    const audio = document.createElement('audio');
    audio.controls = true;
    audio.preload = 'none';
    audio.src = data.audio[which === 'left' ? p.left : p.right];
    audio.dataset.pair = p.id;
    audio.dataset.side = which;
    audio.addEventListener('play', () => { state(p.id)[which + 'Plays']++; refresh(); });
    box.append(title, audio);
    return box;
  }

  function choice(p, value, label) {
    const l = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'choice-' + p.id;
    input.value = value;
    input.addEventListener('change', () => { state(p.id).choice = value; refresh(); });
    l.append(input, ' ' + label);
    return l;
  }

  const host = document.getElementById('pairs');
  data.pairs.forEach((p, i) => {
    const card = document.createElement('section');
    card.className = 'pair';
    card.id = 'pair-' + p.id;
    card.dataset.pair = p.id;
    const h = document.createElement('h3');
    h.textContent = 'Pair ' + (i + 1) + ' of ' + data.pairs.length + ' · clip ' + p.clip;
    const sides = document.createElement('div');
    sides.className = 'sides';
    sides.append(side(p, 'left', 'A'), side(p, 'right', 'B'));
    const choices = document.createElement('div');
    choices.className = 'choices';
    choices.append(choice(p, 'left', 'A sounds better'), choice(p, 'none', 'no preference'), choice(p, 'right', 'B sounds better'));
    const comment = document.createElement('textarea');
    comment.placeholder = 'comment (optional): what did you hear?';
    comment.addEventListener('input', () => { state(p.id).comment = comment.value; refresh(); });
    card.append(h, sides, choices, comment);
    host.append(card);
  });
  document.getElementById('listener').addEventListener('input', refresh);
  // one sound at a time: starting a player pauses every other one
  document.addEventListener('play', e => {
    for (const a of document.querySelectorAll('audio')) if (a !== e.target) a.pause();
  }, true);

  document.getElementById('export').addEventListener('click', () => {
    const r = results();
    const text = JSON.stringify(r, null, 2);
    mirror.textContent = JSON.stringify(r);
    const link = document.getElementById('download');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const who = (r.listener || 'listener').replace(/[^A-Za-z0-9_-]+/g, '_');
    link.download = 'waveflow-ab-' + data.reportId + '-' + who + '.json';
    link.hidden = false;
    link.click();
  });

  window.waveflowResults = results;
  refresh();
})();
