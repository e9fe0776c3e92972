import { compareBytes } from '@wfm-stream/core';
import type { DirectoryStore } from '@wfm-stream/store';

import { notFound } from '../errors.js';
import type { RouteDefinition } from '../route.js';
import { PERSONNEL_SCHEMA } from '../schemas.js';

export interface PersonnelDeps {
  readonly directory: DirectoryStore;
  readonly systemId: string;
}

const byId = <T extends { id: string }>(a: T, b: T): number => compareBytes(a.id, b.id);

/** Adds a field only when it has a value: optional fields are left out, not null. */
function present<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function personnelRoute(deps: PersonnelDeps): RouteDefinition {
  return {
    url: '/personnel',
    summary: 'Services, their groups, and agents with their groups',
    description:
      'The directory as it stands. A group without a service belongs to the static service whose id and name are the system name (SYSTEM_ID). A group naming a service the directory does not hold is listed under a service of that id, named by it. Agents without groups are left out.',
    tag: 'personnel',
    params: [],
    notFound: 'The directory is empty: no directory event has arrived yet (`field` empty).',
    response: PERSONNEL_SCHEMA,
    async handle() {
      const { services, groups, agents } = await deps.directory.read();
      if (services.size === 0 && groups.size === 0 && agents.size === 0) {
        throw notFound(
          '',
          'The directory is empty: no service.upserted, group.upserted or agent.upserted event has arrived yet.',
        );
      }
      const serviceList = new Map<
        string,
        { id: string; name: string; status: string; serviceGroups: object[] }
      >();
      for (const s of services.values())
        serviceList.set(s.id, { id: s.id, name: s.name, status: s.status, serviceGroups: [] });
      for (const g of [...groups.values()].sort(byId)) {
        const serviceId = g.serviceId ?? deps.systemId;
        let service = serviceList.get(serviceId);
        if (service === undefined) {
          service = { id: serviceId, name: serviceId, status: 'ACTIVE', serviceGroups: [] };
          serviceList.set(serviceId, service);
        }
        service.serviceGroups.push(
          present({ id: g.id, name: g.name, status: g.status, channelType: g.channelType }),
        );
      }
      return {
        services: [...serviceList.values()].sort(byId),
        agents: [...agents.values()]
          .filter((a) => a.groupIds.length > 0)
          .sort(byId)
          .map((a) =>
            present({
              id: a.id,
              name: a.name,
              surname: a.surname,
              secondName: a.secondName,
              agentNumber: a.agentNumber,
              loginSSO: a.loginSSO,
              agentGroups: a.groupIds.map((groupId) => ({ groupId })),
            }),
          ),
      };
    },
  };
}
