"""core.templating.Context: templates' calls of plain functions take a short path that gives what Jinja's own
``Context.call`` gives — for functions that take the context (seeing loop and block variables), the eval context,
the environment or nothing, a function raising StopIteration, and every other kind of callable (issue 17)."""

from __future__ import annotations

import jinja2
import pytest
from jinja2 import pass_context, pass_environment, pass_eval_context

from core.templating import Context


@pass_context
def seen(context, name):
    return f"{name}={context.get(name, 'unset')}"


@pass_eval_context
def escaping(eval_ctx, value):
    return f"{value}:{eval_ctx.autoescape}"


@pass_environment
def env_name(environment, value):
    return f"{value}:{type(environment).__name__ == 'Environment' or environment.autoescape}"


def plain(*args, **kwargs):
    return f"{args}{sorted(kwargs.items())}"


def stops():
    raise StopIteration


class Callable:
    def __call__(self, x):
        return f"obj({x})"

    def method(self, x):
        return f"method({x})"


TEMPLATE = """{% set outer = 'o' %}
{{ seen('outer') }} {{ seen('item') }}
{% for item in items %}[{{ seen('item') }} {{ seen('outer') }} {% set inner = item %}{{ seen('inner') }}]{% endfor %}
{% block b %}{% set blockvar = 'bv' %}{{ seen('blockvar') }}{% endblock %}
{% macro m(x) %}{{ seen('x') }}{% endmacro %}{{ m(7) }}
{{ escaping('<a>') }} {{ env_name('e') }} {{ plain(1, 'two', k=3) }} {{ plain() }}
{{ stops() is undefined }} {{ obj(1) }} {{ obj.method(2) }} {{ cls.__name__ }} {{ cls()(3) }}
{{ 'x'|upper }} {{ range(3)|list }} {{ dict(a=1) }} {{ lipsum(1, false, 2, 3)|length > 0 }}"""


@pytest.mark.parametrize("autoescape", [True, False])
def test_calls_give_what_jinjas_context_gives(autoescape):
    def render(context_class):
        class Env(jinja2.Environment):
            pass

        Env.context_class = context_class
        env = Env(autoescape=autoescape)
        env.globals.update(seen=seen, escaping=escaping, env_name=env_name, plain=plain, stops=stops,
                           obj=Callable(), cls=Callable)
        return env.from_string(TEMPLATE).render(items=[1, 2])

    ours, theirs = render(Context), render(jinja2.runtime.Context)
    assert ours == theirs
    # variables set in a loop and a block reach a context function (Jinja's _loop_vars and _block_vars)
    assert "inner=1" in ours and "inner=2" in ours and "blockvar=bv" in ours and "outer=o" in ours


def test_the_app_renders_with_this_context(app):
    with app.test_request_context("/"):
        template = app.jinja_env.from_string("{{ url_for('static', filename='a.css') }}")
        assert isinstance(template.new_context({}), Context)
        assert template.render() == "/static/a.css"
