// Interactive API reference: reads the OpenAPI document and renders each operation with a "try it"
// form. Built with DOM APIs only (textContent, never innerHTML), so nothing in the spec can inject markup.
(() => {
  const root = document.getElementById('docs-root');
  if (!root) return;
  const zh = root.dataset.lang === 'zh';
  const words = zh
    ? {
        send: '发送请求',
        body: '请求体（JSON）',
        response: '响应',
        roles: '角色',
        public: '公开',
        loading: '正在加载…',
        failed: '无法加载接口说明',
      }
    : {
        send: 'Send request',
        body: 'Request body (JSON)',
        response: 'Response',
        roles: 'Roles',
        public: 'Public',
        loading: 'Loading…',
        failed: 'Could not load the API description',
      };
  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k in node) node[k] = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };
  const keyInput = document.getElementById('docs-api-key');
  const example = (schema, spec, depth = 0) => {
    if (!schema || depth > 6) return null;
    if (schema.$ref) return example(spec.components.schemas[schema.$ref.split('/').pop()], spec, depth + 1);
    if (schema.example !== undefined) return schema.example;
    if (schema.examples && schema.examples.length) return schema.examples[0];
    if (schema.enum) return schema.enum[0];
    if (schema.anyOf) return example(schema.anyOf[0], spec, depth + 1);
    if (schema.type === 'object') {
      const out = {};
      for (const [name, prop] of Object.entries(schema.properties || {})) {
        if ((schema.required || []).includes(name)) out[name] = example(prop, spec, depth + 1);
      }
      return out;
    }
    if (schema.type === 'array') return [example(schema.items, spec, depth + 1)];
    if (schema.type === 'string') return '';
    if (schema.type === 'integer' || schema.type === 'number') return 0;
    if (schema.type === 'boolean') return false;
    return null;
  };
  let counter = 0;
  const operation = (spec, path, method, op) => {
    const id = `op${++counter}`;
    const form = el('form', { className: 'stack' });
    const params = (op.parameters || []).filter((p) => p.in === 'path' || p.in === 'query');
    const inputs = [];
    for (const p of params) {
      const inputId = `${id}-${p.in}-${p.name}`;
      form.append(el('label', { htmlFor: inputId, text: `${p.name} (${p.in}${p.required ? ', required' : ''})` }));
      const input = el('input', { id: inputId, name: p.name });
      inputs.push({ p, input });
      form.append(input);
    }
    let bodyArea = null;
    const bodySchema = op.requestBody && op.requestBody.content['application/json'] && op.requestBody.content['application/json'].schema;
    if (bodySchema) {
      const areaId = `${id}-body`;
      bodyArea = el('textarea', { id: areaId, spellcheck: false });
      bodyArea.value = JSON.stringify(example(bodySchema, spec), null, 2);
      form.append(el('label', { htmlFor: areaId, text: words.body }), bodyArea);
    }
    const output = el('pre', { 'aria-live': 'polite', text: '' });
    form.append(el('button', { type: 'submit', text: words.send }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      let url = path;
      const query = new URLSearchParams();
      for (const { p, input } of inputs) {
        if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(input.value));
        else if (input.value) query.set(p.name, input.value);
      }
      if ([...query].length) url += `?${query}`;
      const headers = { accept: 'application/json' };
      if (keyInput && keyInput.value) headers.authorization = `Bearer ${keyInput.value}`;
      const init = { method: method.toUpperCase(), headers };
      if (bodyArea) {
        headers['content-type'] = 'application/json';
        init.body = bodyArea.value;
      }
      output.textContent = '…';
      try {
        const res = await fetch(url, init);
        const text = await res.text();
        let shown = text;
        try {
          shown = JSON.stringify(JSON.parse(text), null, 2);
        } catch {}
        output.textContent = `${res.status} ${res.statusText}\n\n${shown}`;
      } catch (err) {
        output.textContent = String(err);
      }
    });
    const summary = el('summary', {}, [
      el('span', { className: 'docs-method', text: method }),
      el('code', { text: path }),
      ' — ',
      op.summary || '',
    ]);
    return el('details', { className: 'docs-op' }, [
      summary,
      el('p', { text: `${words.roles}: ${op.description ? op.description.replace(/^Roles:\s*/, '') : words.public}` }),
      form,
      el('h4', { text: words.response }),
      output,
    ]);
  };
  root.textContent = words.loading;
  fetch(root.dataset.spec)
    .then((res) => res.json())
    .then((spec) => {
      root.textContent = '';
      const byTag = new Map();
      for (const [path, methods] of Object.entries(spec.paths || {})) {
        for (const [method, op] of Object.entries(methods)) {
          const tag = (op.tags && op.tags[0]) || 'other';
          if (!byTag.has(tag)) byTag.set(tag, []);
          byTag.get(tag).push(operation(spec, path, method, op));
        }
      }
      for (const [tag, ops] of byTag) root.append(el('section', {}, [el('h2', { text: tag }), ...ops]));
    })
    .catch(() => {
      root.textContent = words.failed;
    });
})();
