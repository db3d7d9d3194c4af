// A tiny BYO agent for the local-mode tests: serves its agent card and answers A2A JSON-RPC
// `message/send` with who it is. Port: `--port N`, else $PORT. Sending "exit" makes it answer,
// then exit with status 1 (to see it restarted).
import { createServer } from 'node:http';

const flag = process.argv.indexOf('--port');
const port = Number(flag >= 0 ? process.argv[flag + 1] : process.env.PORT);
const who = `${process.env.KAGENT_NAMESPACE}/${process.env.KAGENT_NAME}`;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/.well-known/agent-card.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        name: process.env.KAGENT_NAME,
        description: 'a BYO test agent',
        url: `http://127.0.0.1:${port}/`,
        version: '0.0.1',
        protocolVersion: '0.3.0',
        capabilities: {},
        defaultInputModes: ['text'],
        defaultOutputModes: ['text'],
        skills: [],
      }),
    );
    return;
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const request = JSON.parse(body || '{}');
    const text = request.params?.message?.parts?.[0]?.text ?? '';
    const answer = `BYO ${who} pid=${process.pid} greeting=${process.env.GREETING} url=${process.env.KAGENT_URL}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: request.id ?? null,
        result: { kind: 'message', messageId: `m-${Date.now()}`, role: 'agent', parts: [{ kind: 'text', text: answer }] },
      }),
      () => {
        if (text === 'exit') process.exit(1);
      },
    );
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
