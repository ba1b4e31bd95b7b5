/** Every item of an async stream, in order (Array.fromAsync is Node 22's; the hub runs on Node 20 too). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
