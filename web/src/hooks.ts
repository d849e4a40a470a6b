/** Data loading for components: one query, its loading and error states, refetched when `deps` or the page's refresh epoch change. */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { describeError, type Api } from './api';

export interface Live {
  api: Api;
  /** Increases whenever the socket came back after a loss: everything refetches. */
  epoch: number;
}

export const LiveContext = createContext<Live | null>(null);

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveContext');
  return live;
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload(): void;
  set(update: (current: T) => T): void;
}

export function useQuery<T>(load: (api: Api) => Promise<T>, deps: unknown[]): Loaded<T> {
  const { api, epoch } = useLive();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    load(api).then(
      (result) => {
        if (mine !== generation.current) return;
        setData(result);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(describeError(failure));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, epoch, tick, ...deps]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const set = useCallback((update: (current: T) => T) => setData((current) => (current === null ? current : update(current))), []);
  return { data, error, loading, reload, set };
}

/** A subscription for the component's lifetime (renewed when `deps` change). */
export function useSubscription(start: (api: Api) => (() => void) | null, deps: unknown[]): void {
  const { api } = useLive();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => start(api) ?? undefined, [api, ...deps]);
}

/** A mutation's running and error states for a button or a form. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (failure) {
      setError(describeError(failure));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}
