/** The first-run form: the first admin chooses their email and password. */
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords.ts";
import { EmailField, FormMessage } from "./SignInLayout.tsx";

export interface SetupFormProps {
  action: string;
  email?: string;
  message?: string;
}

export function SetupForm({ action, email, message }: SetupFormProps) {
  return (
    <form method="post" action={action} class="signin-form">
      <p>
        Create the first admin account. This link works once; more people can be added from the
        Users page afterwards.
      </p>
      <FormMessage message={message} />
      <EmailField email={email} />
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="new-password"
        minLength={PASSWORD_MIN_LENGTH}
        required
        aria-describedby="password-hint"
      />
      <p id="password-hint" class="hint">At least {PASSWORD_MIN_LENGTH} characters.</p>
      <button type="submit">Create admin and sign in</button>
    </form>
  );
}
