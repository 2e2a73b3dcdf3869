import { validatePath } from '@zoo/core';

/** `<basePath>/<serviceName>/<instanceId>`, Curator's layout. */
export class ServicePaths {
  readonly basePath: string;

  constructor(basePath = '/services') {
    validatePath(basePath);
    this.basePath = basePath;
  }

  service(name: string): string {
    return `${this.basePath === '/' ? '' : this.basePath}/${name}`;
  }

  instance(name: string, id: string): string {
    return `${this.service(name)}/${id}`;
  }
}
