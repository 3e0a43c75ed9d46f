/**
 * Creates a room on a running server and prints its links:
 *   ADMIN_TOKEN=... npm run room -- [--url http://localhost:3000] [--title "Neighbours, Building 3"]
 */
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://localhost:3000' },
      title: { type: 'string', default: 'Gridroom' },
    },
  });
  const adminToken = process.env.ADMIN_TOKEN;
  if (!adminToken) throw new Error("set ADMIN_TOKEN to the server's admin token");
  const response = await fetch(new URL('/api/rooms', values.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: values.title }),
  });
  const body = (await response.json()) as {
    links?: Record<string, string>;
    expiresAt?: string;
    error?: { message: string };
  };
  if (!response.ok || !body.links) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  console.log(`Room "${values.title}" (links valid until ${body.expiresAt}):`);
  for (const [role, link] of Object.entries(body.links)) console.log(`  ${role.padEnd(9)} ${link}`);
}

main().catch((error: unknown) => {
  console.error(`createRoom: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
