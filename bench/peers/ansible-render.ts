// The same synthetic fleet, rendered by Ansible: every host's config files and unit files from
// Jinja templates, written locally (connection: local), the way Ansible users build configuration.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const unitTemplate = `[Unit]
Description=Synthetic service {{ item.name }}
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/bin/busybox httpd -f -p {{ item.port }} -h /var/lib/{{ item.name }}
Group={{ item.name }}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectHome=yes
ProtectSystem=strict
ReadWritePaths=/var/lib/{{ item.name }}
Restart=on-failure
RestartSec=5
User={{ item.name }}
Environment="APP_NAME={{ item.name }}"
Environment="APP_PORT={{ item.port }}"

[Install]
WantedBy=multi-user.target
`;

const confTemplate = `listen = 127.0.0.1:{{ item.port }}
name = {{ item.name }}
workers = {{ item.workers }}
region = {{ item.region }}
`;

const playbook = `- hosts: all
  gather_facts: false
  connection: local
  tasks:
    - name: directories
      ansible.builtin.file: { path: "{{ out }}/{{ inventory_hostname }}/etc/{{ item.name }}", state: directory }
      loop: "{{ apps }}"
    - name: unit directory
      ansible.builtin.file: { path: "{{ out }}/{{ inventory_hostname }}/etc/systemd/system", state: directory }
    - name: config files
      ansible.builtin.template: { src: app.conf.j2, dest: "{{ out }}/{{ inventory_hostname }}/etc/{{ item.name }}/{{ item.name }}.conf", mode: "0640" }
      loop: "{{ apps }}"
    - name: unit files
      ansible.builtin.template: { src: app.service.j2, dest: "{{ out }}/{{ inventory_hostname }}/etc/systemd/system/{{ item.name }}.service" }
      loop: "{{ apps }}"
`;

/** Write the playbook, templates and an inventory of `count` hosts into `dir`. */
export function writeAnsibleRender(dir: string, count: number): { playbook: string; inventory: string } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "app.service.j2"), unitTemplate);
  writeFileSync(path.join(dir, "app.conf.j2"), confTemplate);
  writeFileSync(path.join(dir, "render.yml"), playbook);
  const hosts: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const apps = Array.from({ length: 10 }, (_, j) => ({ name: `app${j}`, port: 8000 + j, workers: 1 + (i % 4), region: `r${i % 3}` }));
    hosts[`host${String(i).padStart(4, "0")}`] = { apps };
  }
  writeFileSync(path.join(dir, "inventory.json"), JSON.stringify({ all: { hosts } }));
  return { playbook: path.join(dir, "render.yml"), inventory: path.join(dir, "inventory.json") };
}
