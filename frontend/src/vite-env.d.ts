/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_DESCOPE_PROJECT_ID?: string;
  readonly VITE_DESCOPE_BASE_URL?: string;
  readonly VITE_DESCOPE_LOCAL_LOGIN?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
