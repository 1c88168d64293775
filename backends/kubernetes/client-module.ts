/** What a Kubernetes connection builds its clients from: client.ts and @kubernetes/client-node, loaded on first use (backends/client-module.ts). */
export { KubernetesClient } from './client.js';
export { loadKubeConfig } from './kubeconfig.js';
