/** `/admin/users` (admins only): add users, disable or enable them, reset passwords, roles. */
import type { Handlers, PageProps } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import type { DashboardState } from "@/lib/admin/state.ts";
import { formatTime, staffZone } from "@/lib/admin/time.ts";
import { runUserAction } from "@/lib/admin/user_actions.ts";
import { type AccountSummary, listAccounts } from "@/lib/auth/accounts.ts";
import { readSmallForm } from "@/lib/auth/form.ts";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords.ts";
import { requireRole } from "@/lib/auth/roles.ts";
import { StatusBadge } from "@/components/admin/BookingTable.tsx";
import { Notice } from "@/components/admin/Notice.tsx";

interface UsersPage {
  accounts: AccountSummary[];
  zone: string;
  message?: string;
}

async function page(message?: string): Promise<UsersPage> {
  const { kv, config } = services();
  return { accounts: await listAccounts(kv), zone: staffZone(config.staffTimeZone), message };
}

export const handler: Handlers<UsersPage, DashboardState> = {
  async GET(_req, ctx) {
    requireRole(ctx, "admin");
    ctx.state.title = "Users";
    return ctx.render(await page());
  },
  async POST(req, ctx) {
    requireRole(ctx, "admin");
    ctx.state.title = "Users";
    const form = await readSmallForm(req);
    if (!form) return ctx.render(await page("That request was too large."), { status: 413 });
    const result = await runUserAction(services().kv, form);
    if (!result.ok) return ctx.render(await page(result.message), { status: result.status });
    return new Response(null, {
      status: 303,
      headers: { Location: `/admin/users?user=${result.notice}` },
    });
  },
};

function UserRow(
  { account, zone, self }: { account: AccountSummary; zone: string; self: boolean },
) {
  const a = account;
  return (
    <tr>
      <td data-label="Email">
        {a.email}
        {self && <span class="muted">(you)</span>}
      </td>
      <td data-label="Role">
        <form method="post" class="actions">
          <input type="hidden" name="action" value="role" />
          <input type="hidden" name="id" value={a.id} />
          <label class="visually-hidden" for={`role-${a.id}`}>{`Role of ${a.email}`}</label>
          <select id={`role-${a.id}`} name="role" value={a.role}>
            <option value="admin">admin</option>
            <option value="viewer">viewer</option>
          </select>
          <button type="submit" class="secondary">Change role</button>
        </form>
      </td>
      <td data-label="Status">
        <StatusBadge
          status={a.disabled ? "disabled" : "active"}
          label={a.disabled ? "disabled" : "active"}
        />
        <form method="post" class="inline-form">
          <input type="hidden" name="action" value={a.disabled ? "enable" : "disable"} />
          <input type="hidden" name="id" value={a.id} />
          <button type="submit" class="secondary">{a.disabled ? "Enable" : "Disable"}</button>
        </form>
      </td>
      <td data-label="Password">
        <form method="post" class="actions">
          <input type="hidden" name="action" value="reset" />
          <input type="hidden" name="id" value={a.id} />
          <label class="visually-hidden" for={`password-${a.id}`}>
            {`New password for ${a.email}`}
          </label>
          <input
            id={`password-${a.id}`}
            type="password"
            name="password"
            autoComplete="new-password"
            minLength={PASSWORD_MIN_LENGTH}
            required
            placeholder="New password"
          />
          <button type="submit" class="secondary">Reset</button>
        </form>
      </td>
      <td data-label="Added">{formatTime(a.createdAt, zone)}</td>
    </tr>
  );
}

export default function UsersPageView({ data, state, url }: PageProps<UsersPage, DashboardState>) {
  return (
    <>
      <h1>Users</h1>
      <Notice url={url} />
      {data.message && <p class="error" role="alert">{data.message}</p>}
      <p>
        Admins can resend emails and manage users; viewers can only look. Disabling a user or
        resetting a password signs them out everywhere.
      </p>
      <table class="stacked">
        <caption class="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Password</th>
            <th scope="col">Added</th>
          </tr>
        </thead>
        <tbody>
          {data.accounts.map((a) => (
            <UserRow key={a.id} account={a} zone={data.zone} self={a.id === state.user?.id} />
          ))}
        </tbody>
      </table>
      <section class="card" aria-labelledby="add-heading">
        <h2 id="add-heading">Add a user</h2>
        <form method="post" class="stack-form">
          <input type="hidden" name="action" value="add" />
          <label for="new-email">Email</label>
          <input id="new-email" type="email" name="email" required autoComplete="off" />
          <label for="new-role">Role</label>
          <select id="new-role" name="role">
            <option value="viewer">viewer (can look)</option>
            <option value="admin">admin (can resend and manage users)</option>
          </select>
          <label for="new-password">
            {`Password (at least ${PASSWORD_MIN_LENGTH} characters)`}
          </label>
          <input
            id="new-password"
            type="password"
            name="password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            autoComplete="new-password"
          />
          <button type="submit">Add user</button>
        </form>
      </section>
    </>
  );
}
