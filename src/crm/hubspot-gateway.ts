import { Client } from '@hubspot/api-client';
import type {
  PromiseConfigurationOptions,
  PublicObjectSearchRequest,
  RequestContext,
  ResponseContext,
  SimplePublicObjectInputForCreate,
} from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import type { CrmObject } from '../model/index.ts';
import {
  classifyNetworkError,
  classifyResponse,
  HubspotCallError,
  type RawResponse,
  rateLimitOf,
} from './hubspot-failure.ts';
import { type AssociationTarget, associationInputs, HUBSPOT_OBJECT_TYPE, isEngagement } from './objects.ts';
import type { RateLimitHeaders } from './rate-limit-headers.ts';
import { abortableAgent, raceSignal } from './request-timeout.ts';

export type HubspotProperties = Record<string, string | null>;

export interface HubspotObject {
  id: string;
  properties: HubspotProperties;
}

export interface GatewayResult<T> {
  value: T;
  rateLimit: RateLimitHeaders | null;
}

export interface HubspotGatewayOptions {
  accessToken: string;
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The only code that talks to HubSpot, through `@hubspot/api-client` pointed at `baseUrl`. Every
 * call has a timeout, reports HubSpot's rate-limit headers, and fails with a classified
 * `HubspotCallError`. Errors are read from the raw response: the client's own `ApiException`
 * drops `policyName`/`errorType` and cannot parse non-JSON (HTML 502) bodies.
 */
export class HubspotGateway {
  private readonly client: Client;

  constructor(private readonly options: HubspotGatewayOptions) {
    this.client = new Client({ accessToken: options.accessToken, basePath: options.baseUrl });
  }

  read(object: CrmObject, id: string, properties: readonly string[]): Promise<GatewayResult<HubspotObject>> {
    return this.call(async (o) =>
      toObject(
        await this.client.crm.objects.basicApi.getById(
          HUBSPOT_OBJECT_TYPE[object],
          id,
          [...properties],
          undefined,
          undefined,
          false,
          undefined,
          o,
        ),
      ),
    );
  }

  update(object: CrmObject, id: string, properties: HubspotProperties): Promise<GatewayResult<HubspotObject>> {
    const body = { properties: toWire(properties) };
    return this.call(async (o) =>
      toObject(await this.client.crm.objects.basicApi.update(HUBSPOT_OBJECT_TYPE[object], id, body, undefined, o)),
    );
  }

  /** Creates a record; engagements are associated to `associations` in the same request. */
  create(
    object: CrmObject,
    properties: HubspotProperties,
    associations: readonly AssociationTarget[] = [],
  ): Promise<GatewayResult<HubspotObject>> {
    const links = isEngagement(object) ? associationInputs(object, associations) : [];
    // Our association literals match the client's model; its enum types are nominal.
    const body = { properties: toWire(properties), associations: links } as unknown as SimplePublicObjectInputForCreate;
    return this.call(async (o) =>
      toObject(await this.client.crm.objects.basicApi.create(HUBSPOT_OBJECT_TYPE[object], body, o)),
    );
  }

  archive(object: CrmObject, id: string): Promise<GatewayResult<null>> {
    return this.call(async (o) => {
      await this.client.crm.objects.basicApi.archive(HUBSPOT_OBJECT_TYPE[object], id, o);
      return null;
    });
  }

  /** The records whose `property` equals `value` (used to find a create by its write id). */
  findBy(object: CrmObject, property: string, value: string): Promise<GatewayResult<HubspotObject[]>> {
    const request = {
      filterGroups: [{ filters: [{ propertyName: property, operator: 'EQ', value }] }],
      properties: [property],
      limit: 10,
    } as unknown as PublicObjectSearchRequest;
    return this.call(async (o) => {
      const page = await this.client.crm.objects.searchApi.doSearch(HUBSPOT_OBJECT_TYPE[object], request, o);
      return page.results.map(toObject);
    });
  }

  private async call<T>(run: (options: PromiseConfigurationOptions) => Promise<T>): Promise<GatewayResult<T>> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let raw: RawResponse | undefined;
    const middleware = {
      pre: async (ctx: RequestContext) => {
        ctx.setAgent(abortableAgent(this.options.baseUrl, signal));
        return ctx;
      },
      post: async (ctx: ResponseContext) => {
        raw = { status: ctx.httpStatusCode, headers: lowerKeys(ctx.headers), text: await ctx.body.text() };
        return ctx;
      },
    };
    try {
      const value = await raceSignal(run({ middleware: [middleware], middlewareMergeStrategy: 'append' }), signal);
      return { value, rateLimit: raw ? rateLimitOf(raw) : null };
    } catch (error) {
      if (raw && (raw.status < 200 || raw.status > 299)) {
        throw new HubspotCallError(classifyResponse(raw, Date.now()), rateLimitOf(raw));
      }
      if (raw) throw error; // a 2xx the client could not read: a bug, not HubSpot's answer
      throw new HubspotCallError(classifyNetworkError(error, signal.aborted));
    }
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** HubSpot takes string values; `null` clears a property (sent as the empty string). */
function toWire(properties: HubspotProperties): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) out[k] = v ?? '';
  return out;
}

function toObject(o: { id: string; properties: Record<string, string | null> }): HubspotObject {
  return { id: o.id, properties: { ...o.properties } };
}
