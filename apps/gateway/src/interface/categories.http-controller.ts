import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { CATALOG_BACKEND, type CatalogBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth } from './auth.guard';
import { CreateCategoryDto, MoveCategoryDto, UpdateCategoryDto } from './dto/catalog.dto';
import { ListCategoriesQuery } from './dto/query.dto';
import { CategoryPage, CategoryView } from './dto/views.dto';
import { categoryView, cursorOf } from './mappers';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

@ApiTags('categories')
@Controller('v1/categories')
export class CategoriesHttpController {
  constructor(@Inject(CATALOG_BACKEND) private readonly catalog: CatalogBackend) {}

  @Post()
  @Auth('operator')
  @ApiCreatedResponse({ type: CategoryView })
  @ApiProblems(404, 409, 422)
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateCategoryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CategoryView> {
    const { category } = await this.catalog.createCategory(ctx, {
      name: body.name,
      slug: body.slug,
      regulated: body.regulated ?? false,
      parentId: body.parentId ?? '',
    });
    void reply.status(201).header('location', `/v1/categories/${category!.id}`);
    return categoryView(category!);
  }

  @Get()
  @ApiOkResponse({ type: CategoryPage })
  @ApiProblems(404)
  async list(@Ctx() ctx: RequestContext, @Query() q: ListCategoriesQuery): Promise<CategoryPage> {
    const res = await this.catalog.listCategories(ctx, {
      parentId: q.parentId ?? '',
      all: q.all === 'true',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return { items: res.categories.map(categoryView), nextCursor: cursorOf(res.nextPageToken) };
  }

  @Get(':id')
  @ApiOkResponse({ type: CategoryView })
  @ApiProblems(404)
  async get(@Ctx() ctx: RequestContext, @Param('id', uuidParam) id: string): Promise<CategoryView> {
    return categoryView((await this.catalog.getCategory(ctx, { id })).category!);
  }

  @Patch(':id')
  @Auth('operator')
  @ApiOkResponse({ type: CategoryView })
  @ApiProblems(404, 409)
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: UpdateCategoryDto,
  ): Promise<CategoryView> {
    const { category } = await this.catalog.updateCategory(ctx, {
      id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.slug !== undefined ? { slug: body.slug } : {}),
      ...(body.regulated !== undefined ? { regulated: body.regulated } : {}),
    });
    return categoryView(category!);
  }

  @Post(':id/move')
  @Auth('operator')
  @HttpCode(200)
  @ApiOkResponse({
    type: CategoryView,
    description: 'the moved category; its subtree moves with it',
  })
  @ApiProblems(404, 422)
  async move(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: MoveCategoryDto,
  ): Promise<CategoryView> {
    return categoryView(
      (await this.catalog.moveCategory(ctx, { id, newParentId: body.newParentId ?? '' })).category!,
    );
  }
}
