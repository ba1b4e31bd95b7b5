import './resolve-ts-extensions.cjs';
export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>)['__pifuServices'] as
    { stopPostgres?: () => void; stopRedis?: () => Promise<void> } | undefined;
  await services?.stopRedis?.();
  services?.stopPostgres?.();
}
