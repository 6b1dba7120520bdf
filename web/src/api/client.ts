// The one way the dashboard talks to Finsight: same-origin fetches that
// carry the session cookie (never a token the page can read), the CSRF
// token on every write, one refresh-and-retry on a 401, and errors in the
// API's own shape ({code, message, field?}).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

function send(method: Method, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
}

async function failure(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    return new ApiError(response.status, body.code ?? "error", body.message ?? response.statusText, body.field ?? undefined);
  } catch {
    return new ApiError(response.status, "error", response.statusText || `HTTP ${response.status}`);
  }
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh cookie for new session cookies (once at a time). */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch("/v1/auth/session/refresh", {
        method: "POST",
        headers: { "X-Requested-With": "finsight-web", Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return false;
      setCsrfToken((await response.json()).csrf_token);
      return true;
    } catch {
      return false;
    } finally {
      setTimeout(() => (refreshing = null), 0);
    }
  })();
  return refreshing;
}

/** Calls the API; the JSON answer, or an ApiError. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body);
  if (response.status === 401 && !path.startsWith("/v1/auth/session")) {
    if (await refreshSession()) response = await send(method, path, body);
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** `path` with the query parameters that have a value. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
